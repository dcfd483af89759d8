import { computed, inject, Injectable, InjectionToken, type OnDestroy, signal } from '@angular/core';
import { signallingDelivery } from '../e2ee/delivery';
import { E2eeSession, type E2eeState } from '../e2ee/e2ee-session';
import { encodedTransformApi, MediaEncryption } from '../e2ee/media-encryption';
import { workerMls } from '../e2ee/mls/mls-api';
import type { RoomSecret } from '../e2ee/room-secret';
import type { TransformStats } from '../e2ee/worker-protocol';
import { SignallingChannel } from '../signalling/signalling-channel';
import { AppUpdate } from '../update/app-update';
import { Call } from './call';
import { joinFailure, worthRetrying, type CallFailure, type CallNotice, type Participant } from './call-types';
import { capture, type CaptureFailure } from './local-media';

/** Makes a call for a room: a connection to the server and the E2EE session on it. Tests give their own. */
export const CALL_FACTORY = new InjectionToken<(room: RoomSecret) => Promise<Call>>('CALL_FACTORY', {
  factory: () => async (room) => {
    const signalling = SignallingChannel.connect();
    const api = encodedTransformApi();
    const e2ee = new E2eeSession(room, api && new MediaEncryption(api), workerMls(), signallingDelivery(signalling));
    return new Call(signalling, e2ee);
  },
});

/** Joining afresh (the server forgot this participant) is tried this long before giving up. */
const REJOIN_GIVE_UP_MS = 120_000;
const REJOIN_BACKOFF_MS = [0, 500, 1000, 2000, 4000];

export type Phase = 'prejoin' | 'joining' | 'in-call' | 'left' | 'failed';

/** What the security badge may claim: never more than the worker's counters prove. */
export type Security =
  | { readonly level: 'e2ee' }
  | { readonly level: 'securing' }
  /** Someone holds the keys without being among the people shown: the rosters disagree. */
  | { readonly level: 'unseen-member'; readonly count: number }
  | { readonly level: 'hop-by-hop'; readonly self: boolean; readonly peers: readonly string[] };

/** A chat line as shown: the sender's name is taken when the message arrives. */
export interface ChatLine {
  readonly self: boolean;
  readonly name: string | undefined;
  readonly text: string;
  readonly at: Date;
}

const PROOF_INTERVAL_MS = 1000;
const MAX_CHAT_LINES = 500;

/**
 * The page's view of one call: local camera and microphone, the phase of
 * the call, the other participants, end-to-end encryption and chat, as
 * signals. Provided per room page, so leaving the page ends the call and
 * releases the devices.
 */
@Injectable()
export class CallService implements OnDestroy {
  readonly phase = signal<Phase>('prejoin');
  readonly failure = signal<CallFailure | undefined>(undefined);
  /** In the call, but the connection is being re-established; nothing to do but wait. */
  readonly reconnecting = signal(false);
  readonly notice = signal<CallNotice | undefined>(undefined);
  readonly participants = signal<readonly Participant[]>([]);
  /** The own camera, for the preview and the self-view tile. */
  readonly camera = signal<MediaStreamTrack | undefined>(undefined);
  readonly cameraProblem = signal<CaptureFailure | undefined>(undefined);
  readonly microphoneOn = signal(false);
  readonly microphoneProblem = signal<CaptureFailure | undefined>(undefined);
  readonly e2ee = signal<E2eeState | undefined>(undefined);
  readonly chat = signal<readonly ChatLine[]>([]);
  /** This browser can encrypt media end to end (it has encoded transforms). */
  readonly canEncrypt = encodedTransformApi() !== undefined;
  /** The operator admits only browsers that can (known once connected). */
  readonly operatorRequiresE2ee = signal(false);
  readonly security = computed<Security>(() => {
    const state = this.e2ee();
    if (!state?.joined) return { level: 'securing' };
    if (state.ghosts.length > 0) return { level: 'unseen-member', count: state.ghosts.length };
    if (state.mode === 'hop-by-hop') {
      const names = new Map(this.participants().map((participant) => [participant.peerId, participant.displayName ?? '']));
      return { level: 'hop-by-hop', self: state.withoutE2ee.self, peers: state.withoutE2ee.peers.map((peerId) => names.get(peerId) ?? '') };
    }
    return this.proven() ? { level: 'e2ee' } : { level: 'securing' };
  });

  private readonly proven = signal(false);
  private readonly makeCall = inject(CALL_FACTORY);
  private readonly update = inject(AppUpdate);
  #microphone: MediaStreamTrack | undefined;
  #joinedAs: { roomId: string; displayName: string | undefined } | undefined;
  readonly #networkChanged = () => this.#joined?.networkChanged();
  #room: RoomSecret | undefined;
  /** Connected (and prepared) from the preview on; joined only in the 'in-call' phase. */
  #call: Promise<Call> | undefined;
  #joined: Call | undefined;
  /** The call this page shows: the joined one, or the one being prepared or joined. */
  #current: Call | undefined;
  #proofTimer: ReturnType<typeof setInterval> | undefined;
  #lastStats = new Map<string, TransformStats>();
  /** The last toggle's work, so quick double-clicks apply in order. */
  #busy: Promise<unknown> = Promise.resolve();
  /** The preview's device requests; joining waits for them so nobody joins without what they chose. */
  #devicesReady: Promise<void> = Promise.resolve();

  constructor() {
    // A new network (Wi-Fi to mobile data) breaks the paths of a call: look for new ones at once.
    addEventListener('online', this.#networkChanged);
    connection()?.addEventListener('change', this.#networkChanged);
  }

  /** Opens camera and microphone for the pre-join preview, and connects meanwhile. */
  preview(room: RoomSecret): Promise<void> {
    this.#room = room;
    this.#devicesReady = this.openDevices();
    this.#call ??= this.newCall(room);
    // A failure to connect shows when joining; a server newer than this app updates it first.
    this.#call
      .then((call) => call.prepare())
      .then(({ requireE2ee }) => this.operatorRequiresE2ee.set(requireE2ee))
      .catch((error: unknown) => {
        if (joinFailure(error) === 'upgrade-required') void this.updateApp();
      });
    return this.#devicesReady;
  }

  /** Back to the pre-join screen after leaving or a failure, with fresh devices. */
  async again(): Promise<void> {
    this.phase.set('prejoin');
    this.failure.set(undefined);
    this.cameraProblem.set(undefined);
    this.microphoneProblem.set(undefined);
    if (this.#room) await this.preview(this.#room);
  }

  /** The person compared the verification code with the others. */
  markVerified(): void {
    this.#joined?.e2ee.markVerified();
  }

  async join(roomId: string, displayName: string): Promise<void> {
    if (this.phase() === 'joining' || this.phase() === 'in-call' || !this.#room) return;
    this.phase.set('joining');
    this.failure.set(undefined);
    this.#joinedAs = { roomId, displayName: displayName.trim() || undefined };
    await this.#devicesReady;
    await this.#busy;
    const pending = (this.#call ??= this.newCall(this.#room));
    try {
      await this.enter(await pending);
    } catch (error) {
      if (this.#call === pending) this.fail(joinFailure(error));
    }
  }

  toggleCamera(): Promise<unknown> {
    return this.serially(async () => {
      const current = this.camera();
      if (current) {
        this.camera.set(undefined);
        current.stop();
        await this.#joined?.setMedia('camera', null);
        return;
      }
      const camera = await capture('camera');
      if (!camera.ok) {
        this.cameraProblem.set(camera.reason);
        return;
      }
      this.cameraProblem.set(undefined);
      this.camera.set(this.watch('camera', camera.track));
      await this.#joined?.setMedia('camera', camera.track);
    });
  }

  toggleMicrophone(): Promise<unknown> {
    return this.serially(async () => {
      if (!this.#microphone) {
        const microphone = await capture('microphone');
        if (!microphone.ok) {
          this.microphoneProblem.set(microphone.reason);
          return;
        }
        this.#microphone = this.watch('microphone', microphone.track);
        this.microphoneProblem.set(undefined);
      }
      const on = !this.microphoneOn();
      this.microphoneOn.set(on);
      this.#microphone.enabled = on;
      await this.#joined?.setMedia('microphone', on ? this.#microphone : null);
    });
  }

  async sendChat(text: string): Promise<void> {
    const trimmed = text.trim();
    if (trimmed) await this.#joined?.sendChat(trimmed);
  }

  async leave(): Promise<void> {
    const call = this.#joined ?? (await this.#call?.catch(() => undefined));
    this.end('left');
    await call?.leave();
  }

  ngOnDestroy(): void {
    removeEventListener('online', this.#networkChanged);
    connection()?.removeEventListener('change', this.#networkChanged);
    void this.leave();
  }

  /** Joins with this page's devices; the call is the page's current one from then on. */
  private async enter(call: Call): Promise<void> {
    const { roomId, displayName } = this.#joinedAs!;
    await call.join({ roomId, displayName, camera: this.camera(), microphone: this.#microphone });
    if (call.closed) throw new Error('the call ended while joining');
    this.#joined = call;
    this.phase.set('in-call');
    this.reconnecting.set(false);
    clearInterval(this.#proofTimer);
    this.#lastStats = new Map();
    this.#proofTimer = setInterval(() => void this.checkProof(call), PROOF_INTERVAL_MS);
    // Apply the devices' state now, including what was toggled while joining.
    await this.serially(async () => {
      await call.setMedia('camera', this.camera() ?? null);
      await call.setMedia('microphone', this.microphoneOn() ? (this.#microphone ?? null) : null);
    });
  }

  /** A call ended by itself: the page follows, joining afresh where the server just forgot us. */
  private callFailed(call: Call, reason: CallFailure): void {
    if (this.#joined !== call) return;
    if (reason === 'session-expired') void this.rejoin();
    else if (reason === 'upgrade-required') void this.updateApp();
    else this.fail(reason);
  }

  /**
   * The server no longer knows this participant (away past the grace period,
   * or it restarted): join again as someone new, with the same devices and
   * fresh keys, without asking. Chat so far stays on screen.
   */
  private async rejoin(): Promise<void> {
    this.#joined = undefined;
    this.reconnecting.set(true);
    this.proven.set(false);
    const deadline = Date.now() + REJOIN_GIVE_UP_MS;
    for (let attempt = 0; this.phase() === 'in-call'; attempt++) {
      const pending = (this.#call = this.newCall(this.#room!));
      try {
        await this.enter(await pending);
        return;
      } catch (error) {
        void pending.then((call) => call.close());
        const failure = joinFailure(error);
        if (this.#call !== pending) return;
        if (failure === 'upgrade-required') return void this.updateApp();
        if (!worthRetrying(failure) || Date.now() > deadline) return this.fail(failure);
      }
      await new Promise((resolve) =>
        setTimeout(resolve, REJOIN_BACKOFF_MS[Math.min(attempt, REJOIN_BACKOFF_MS.length - 1)] * (0.5 + Math.random() / 2)),
      );
    }
  }

  /** This app is older than the server: update and reload (the call, if any, is over already). */
  private async updateApp(): Promise<void> {
    if (!(await this.update.reload())) this.fail('upgrade-required');
  }

  private async openDevices(): Promise<void> {
    const [camera, microphone] = await Promise.all([capture('camera'), capture('microphone')]);
    if (camera.ok) this.camera.set(this.watch('camera', camera.track));
    else this.cameraProblem.set(camera.reason);
    if (microphone.ok) {
      this.#microphone = this.watch('microphone', microphone.track);
      this.microphoneOn.set(true);
    } else {
      this.microphoneProblem.set(microphone.reason);
    }
  }

  private async newCall(room: RoomSecret): Promise<Call> {
    const call = await this.makeCall(room);
    this.#current = call;
    const current = () => this.#current === call;
    call.e2ee.onChange((state) => current() && this.e2ee.set(state));
    call.on('change', (participants) => current() && this.participants.set(participants));
    call.on('failure', (reason) => this.callFailed(call, reason));
    call.on('connection', (reconnecting) => current() && this.reconnecting.set(reconnecting));
    call.on('notice', (notice) => current() && this.notice.set(notice));
    call.on('chat', ({ from, self, text, at }) => {
      if (!current()) return;
      const name = self ? undefined : this.participants().find((participant) => participant.peerId === from)?.displayName;
      this.chat.update((lines) => [...lines, { self, name, text, at }].slice(-MAX_CHAT_LINES));
    });
    return call;
  }

  /**
   * The badge claims end-to-end encryption only when the worker's counters
   * show it over the last interval: every sending producer had frames
   * encrypted, and no transform passed a frame on unencrypted.
   */
  private async checkProof(call: Call): Promise<void> {
    const media = call.e2ee.media;
    if (!media) return;
    const { transforms } = await media.stats();
    const now = new Map(transforms.map((stats) => [stats.id, stats]));
    const grew = (stats: TransformStats | undefined, field: 'frames' | 'passthrough') =>
      stats !== undefined && stats[field] > (this.#lastStats.get(stats.id)?.[field] ?? 0);
    const plainPassed = transforms.some((stats) => grew(stats, 'passthrough'));
    const sendersEncrypting = call.activeSenderTransforms.every((id) => grew(now.get(id), 'frames'));
    this.#lastStats = now;
    this.proven.set(!plainPassed && sendersEncrypting);
  }

  /** A device can end by itself (unplugged, permission revoked): then it is off, here and for the others. */
  private watch(kind: 'camera' | 'microphone', track: MediaStreamTrack): MediaStreamTrack {
    track.addEventListener('ended', () => {
      void this.serially(async () => {
        if (kind === 'camera' && this.camera() === track) this.camera.set(undefined);
        else if (kind === 'microphone' && this.#microphone === track) {
          this.#microphone = undefined;
          this.microphoneOn.set(false);
        } else return;
        await this.#joined?.setMedia(kind, null);
      });
    });
    return track;
  }

  private fail(reason: CallFailure): void {
    this.end('failed');
    this.failure.set(reason);
  }

  /** Closes the call (its connection, transports and E2EE worker) and releases the devices. */
  private end(phase: 'left' | 'failed'): void {
    const call = this.#call;
    this.#call = undefined;
    this.#joined = undefined;
    this.#current = undefined;
    clearInterval(this.#proofTimer);
    this.#lastStats = new Map();
    this.proven.set(false);
    this.reconnecting.set(false);
    this.notice.set(undefined);
    this.participants.set([]);
    this.e2ee.set(undefined);
    this.chat.set([]);
    this.phase.set(phase);
    this.camera()?.stop();
    this.camera.set(undefined);
    this.#microphone?.stop();
    this.#microphone = undefined;
    this.microphoneOn.set(false);
    // Leaving tells the server first (see leave()); every other end closes at once.
    if (phase === 'failed')
      void call?.then(
        (ended) => ended.close(),
        () => undefined,
      );
  }

  private serially(work: () => Promise<void>): Promise<unknown> {
    const next = this.#busy.then(work, work);
    this.#busy = next.catch(() => undefined);
    return next;
  }
}

/** The Network Information API, where the browser has it (Chromium, on phones above all). */
function connection(): EventTarget | undefined {
  return (navigator as Navigator & { connection?: EventTarget }).connection;
}
