/// <reference lib="webworker" />
// The MLS worker: this participant's group state and every MLS operation,
// off the main thread. The page calls it through workerMls().
import { MlsError } from './errors';
import { LocalMls } from './local-mls';
import type { MlsRequest, MlsResponse } from './mls-api';
import { rehearseJoin } from './rehearsal';

declare const self: DedicatedWorkerGlobalScope;

const mls = new LocalMls();
// Workers start before they are needed (a call's while its page shows the preview): the join is rehearsed then,
// first in the queue, so that a click during it waits for it instead of sharing the core with it.
let queue: Promise<unknown> = rehearseJoin().catch(() => undefined);

// One operation at a time, in the order asked: each sees the state the one before left.
self.onmessage = ({ data }: MessageEvent<MlsRequest>) => {
  queue = queue.then(async () => {
    let response: MlsResponse;
    try {
      const method = mls[data.method] as (...args: unknown[]) => Promise<unknown>;
      response = { id: data.id, result: await method.apply(mls, data.args) };
    } catch (error) {
      const reason = error instanceof MlsError ? error.reason : 'rejected';
      response = { id: data.id, error: { reason, message: (error as Error).message } };
    }
    self.postMessage(response);
  });
};
