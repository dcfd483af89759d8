import { MlsError } from './errors';
import type { GroupView, Member, ProposedCommit } from './group';
import type { MemberIdentity } from './link-keys';
import { watchWorker, WorkerGone } from '../worker-watch';

/** A group view with every member's frame secret for the epoch, for the media worker. */
export interface GroupSnapshot extends GroupView {
  readonly secrets: ReadonlyArray<{ readonly leaf: number; readonly secret: Uint8Array<ArrayBuffer> }>;
}

export interface Opened {
  readonly from: Member;
  readonly data: Uint8Array<ArrayBuffer>;
}

/**
 * What the page asks of its MLS group. LocalMls (local-mls.ts) does the
 * work, inside the MLS worker (and in tests); the page talks to the worker
 * through workerMls(), so MLS work stays off the main thread and ts-mls
 * out of the page's bundle.
 */
export interface MlsApi {
  /** Makes this participant's keys (`admission`: a renewed link's first secret); returns its KeyPackage. */
  init(
    secret: Uint8Array<ArrayBuffer>,
    roomId: string,
    identity: MemberIdentity,
    admission?: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array<ArrayBuffer>>;
  /** A new link's secret: its PSK goes into every commit from now on. */
  renew(secret: Uint8Array<ArrayBuffer>): Promise<void>;
  /** A commit that only starts a new epoch (with the current PSK); held like propose()'s. */
  rekey(): Promise<ProposedCommit | undefined>;
  start(): Promise<GroupSnapshot>;
  join(welcome: Uint8Array<ArrayBuffer>): Promise<GroupSnapshot>;
  /** Whether a KeyPackage was made by a holder of the link for this peer. */
  admissible(keyPackage: Uint8Array<ArrayBuffer>, peerId: string): Promise<boolean>;
  propose(
    adds: ReadonlyArray<{ peerId: string; keyPackage: Uint8Array<ArrayBuffer> }>,
    removes: readonly string[],
  ): Promise<ProposedCommit | undefined>;
  confirm(): Promise<GroupSnapshot>;
  discard(): Promise<void>;
  processCommit(commit: Uint8Array<ArrayBuffer>): Promise<GroupSnapshot>;
  seal(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
  open(sealed: Uint8Array<ArrayBuffer>): Promise<Opened | undefined>;
  close(): void;
}

type Method = Exclude<keyof MlsApi, 'close'>;
const METHODS: readonly Method[] = [
  'init',
  'start',
  'join',
  'admissible',
  'renew',
  'rekey',
  'propose',
  'confirm',
  'discard',
  'processCommit',
  'seal',
  'open',
];
export type MlsRequest = { readonly id: number; readonly method: Method; readonly args: unknown[] };
export type MlsResponse =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly reason: MlsError['reason']; readonly message: string } };

/**
 * The page's handle on the MLS worker (mls.worker.ts): every method is a
 * message to it. A worker that never runs (its code did not load) or stops
 * answering fails what is pending and everything after with WorkerGone.
 */
export function workerMls(): MlsApi {
  const worker = new Worker(new URL('./mls.worker', import.meta.url), { type: 'module', name: 'raum-mls' });
  const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const pending of calls.values()) pending.reject(failure);
    calls.clear();
  };
  worker.addEventListener('message', ({ data }: MessageEvent<MlsResponse>) => {
    const call = calls.get(data.id);
    calls.delete(data.id);
    if ('error' in data) call?.reject(new MlsError(data.error.reason, data.error.message));
    else call?.resolve(data.result);
  });
  const sent = watchWorker(
    worker,
    () => calls.size > 0,
    () => fail(new WorkerGone('MLS')),
  );
  const call = (method: Method, args: unknown[]) =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      calls.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies MlsRequest);
      sent();
    });
  const close = () => {
    worker.terminate();
    fail(new MlsError('not-in-group', 'closed'));
  };
  return Object.fromEntries([
    ...METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)]),
    ['close', close],
  ]) as unknown as MlsApi;
}
