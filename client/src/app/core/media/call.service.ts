import { computed, inject, Injectable, type OnDestroy, signal } from '@angular/core';
import type { MediaSource } from '@raum/protocol';
import type { E2eeState } from '../e2ee/e2ee-session';
import type { Reaction } from '../e2ee/group-content';
import { encodedTransformApi } from '../e2ee/media-encryption';
import type { RoomSecret } from '../e2ee/room-secret';
import { AppUpdate } from '../update/app-update';
import type { Call } from './call';
import { CALL_FACTORY } from './call-factory';
import { joinFailure, worthRetrying, type CallFailure, type CallNotice, type Participant, type Reception } from './call-types';
import { ChatLog } from './chat-log';
import { ConnectionQuality } from './connection-quality';
import { EncryptionProof, securityOf } from './encryption-proof';
import { HostView } from './host-view';
import { Devices, type CaptureFailure } from './devices';
import { ReactionBoard } from './reactions';
import { onNetworkChange } from './network-change';
import { keepScreenAwake } from './screen-awake';
import { ScreenShare } from './screen-share';
import { Speakers } from './speakers';
import { SELF } from './speaking';

/** Joining afresh (the server forgot this participant) is tried this long before giving up. */
const REJOIN_GIVE_UP_MS = 120_000;
const REJOIN_BACKOFF_MS = [0, 500, 1000, 2000, 4000];

/** 'waiting': in the meeting's lobby, until a host lets this person in. */
export type Phase = 'prejoin' | 'joining' | 'waiting' | 'in-call' | 'left' | 'failed';

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
  /** The meeting's link as this person holds it now: a host may make a new one during the call. */
  readonly link = signal<RoomSecret | undefined>(undefined);
  readonly participants = signal<readonly Participant[]>([]);
  /** The own camera, for the preview and the self-view tile. */
  readonly camera = signal<MediaStreamTrack | undefined>(undefined);
  readonly cameraProblem = signal<CaptureFailure | undefined>(undefined);
  readonly microphoneOn = signal(false);
  readonly microphoneProblem = signal<CaptureFailure | undefined>(undefined);
  readonly screenShare = new ScreenShare(
    () => this.#joined,
    (work) => this.serially(work),
  );
  readonly hand = signal(false);
  readonly host = new HostView({ on: () => this.microphoneOn(), turnOff: () => this.toggleMicrophone(false), leave: () => this.leave() });
  readonly speakers = new Speakers();
  readonly quality = new ConnectionQuality(() => this.participants());
  readonly talkingWhileMuted = computed(() => !this.microphoneOn() && this.speakers.speaking().has(SELF));
  readonly e2ee = signal<E2eeState | undefined>(undefined);
  readonly #chat = new ChatLog();
  readonly chat = this.#chat.lines;
  /** This browser can encrypt media end to end (it has encoded transforms). */
  readonly canEncrypt = encodedTransformApi() !== undefined;
  /** The operator admits only browsers that can (known once connected). */
  readonly operatorRequiresE2ee = signal(false);
  readonly security = computed(() => securityOf(this.e2ee(), this.participants(), this.#proof.proven()));
  /** The camera, microphone and speaker chosen in Settings, switched in place. */
  readonly devices = new Devices({
    current: (kind) => (kind === 'camera' ? this.camera() : this.#microphone),
    problem: (kind, reason) => (kind === 'camera' ? this.cameraProblem : this.microphoneProblem).set(reason),
    serially: (work) => this.serially(work),
    use: async (kind, track) => {
      if (kind === 'camera') this.camera.set(track && this.watch(kind, track));
      else if (!this.useMicrophone(track && this.watch(kind, track))) this.microphoneOn.set(false);
      await this.#joined?.setMedia(kind, kind === 'camera' || this.microphoneOn() ? (track ?? null) : null);
    },
  });

  readonly #proof = new EncryptionProof();
  private readonly makeCall = inject(CALL_FACTORY);
  private readonly update = inject(AppUpdate);
  #duringCall: Array<() => void> | undefined;
  readonly #reactions = new ReactionBoard();
  /** Reactions on tiles now, by peer id ('self' for this person). */
  readonly reactions = this.#reactions.shown;
  #microphone: MediaStreamTrack | undefined;
  #joinedAs: { roomId: string; displayName: string | undefined } | undefined;
  /** A new network (Wi-Fi to mobile data) breaks the paths of a call: look for new ones at once. */
  readonly #stopWatchingNetwork = onNetworkChange(() => this.#joined?.networkChanged());
  /** Connected (and prepared) from the preview on; joined only in the 'in-call' phase. */
  #call: Promise<Call> | undefined;
  #joined: Call | undefined;
  /** The call this page shows: the joined one, or the one being prepared or joined. */
  #current: Call | undefined;
  /** The last toggle's work, so quick double-clicks apply in order. */
  #busy: Promise<unknown> = Promise.resolve();
  /** The preview's device requests; joining waits for them so nobody joins without what they chose. */
  #devicesReady: Promise<void> = Promise.resolve();

  /** Opens camera and microphone for the pre-join preview, and connects meanwhile. */
  preview(room: RoomSecret): Promise<void> {
    this.link.set(room);
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
    const room = this.link();
    if (room) await this.preview(room);
  }

  /** The person compared the verification code with the others. */
  markVerified(): void {
    this.#joined?.e2ee.markVerified();
  }

  async join(roomId: string, displayName: string): Promise<void> {
    const room = this.link();
    if (this.phase() !== 'prejoin' || !room) return;
    this.phase.set('joining');
    this.failure.set(undefined);
    this.#joinedAs = { roomId, displayName: displayName.trim() || undefined };
    await this.#devicesReady;
    await this.#busy;
    const pending = (this.#call ??= this.newCall(room));
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
      const camera = await this.devices.open('camera');
      if (!camera.ok) {
        this.cameraProblem.set(camera.reason);
        return;
      }
      this.cameraProblem.set(undefined);
      this.camera.set(this.watch('camera', camera.track));
      await this.#joined?.setMedia('camera', camera.track);
    });
  }

  /** Turns the microphone on or off (`on`: only that way, if it is not already). */
  toggleMicrophone(on?: boolean): Promise<unknown> {
    return this.serially(async () => {
      const next = on ?? !this.microphoneOn();
      if (next === this.microphoneOn()) return;
      let track = this.#microphone;
      if (!track) {
        const microphone = await this.devices.open('microphone');
        if (!microphone.ok) {
          this.microphoneProblem.set(microphone.reason);
          return;
        }
        track = this.useMicrophone(this.watch('microphone', microphone.track))!;
        this.microphoneProblem.set(undefined);
      }
      this.microphoneOn.set(next);
      if (next) this.host.unmuted();
      track.enabled = next;
      await this.#joined?.setMedia('microphone', next ? track : null);
    });
  }

  /** Shares a screen, or stops sharing it. */
  toggleScreenShare(): Promise<unknown> {
    return this.serially(() => (this.screenShare.track() ? this.screenShare.stop() : this.screenShare.start()));
  }

  async toggleHand(): Promise<void> {
    const raised = !this.hand();
    this.hand.set(raised);
    // Not sent (a rate limit, the connection): the button shows what the others see.
    await this.#joined?.setHand(raised).catch(() => this.hand.set(!raised));
  }

  /** How a remote video's tile is shown (see Call.setReception). */
  setReception(peerId: string, source: MediaSource, reception: Reception): void {
    this.#joined?.setReception(peerId, source, reception);
  }

  /** A reaction on this person's tile, here and at everyone else's. */
  react(emoji: Reaction): void {
    this.#reactions.show('self', emoji);
    this.#joined?.react(emoji).catch(() => undefined);
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
    this.#stopWatchingNetwork();
    void this.leave();
    this.speakers.close();
  }

  /** Joins with this page's devices; the call is the page's current one from then on. */
  private async enter(call: Call): Promise<void> {
    const { roomId, displayName } = this.#joinedAs!;
    await call.join({ roomId, displayName, hostKey: this.link()?.hostKey });
    if (call.closed) throw new Error('the call ended while joining');
    this.#joined = call;
    this.host.joined(call);
    this.phase.set('in-call');
    // No "Reload to update" in the middle of a call, and the screen stays on.
    this.#duringCall ??= [this.update.callStarted(), keepScreenAwake(), this.quality.start()];
    this.reconnecting.set(false);
    this.#proof.watch(call);
    // Apply the devices' state now, including what was toggled while joining.
    await this.serially(async () => {
      await call.setMedia('camera', this.camera() ?? null);
      await call.setMedia('microphone', this.microphoneOn() ? (this.#microphone ?? null) : null);
      // After a rejoin, the share and the hand go on.
      await this.screenShare.sendTo(call);
      if (this.hand()) await call.setHand(true);
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
    this.#proof.stop();
    const deadline = Date.now() + REJOIN_GIVE_UP_MS;
    for (let attempt = 0; this.phase() === 'in-call'; attempt++) {
      const pending = (this.#call = this.newCall(this.link()!));
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
    const [camera, microphone] = await Promise.all([this.devices.open('camera'), this.devices.open('microphone')]);
    if (camera.ok) this.camera.set(this.watch('camera', camera.track));
    else this.cameraProblem.set(camera.reason);
    if (microphone.ok) {
      this.useMicrophone(this.watch('microphone', microphone.track));
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
    call.on('change', (participants) => {
      if (!current()) return;
      this.participants.set(participants);
      this.speakers.hear(participants);
    });
    call.on('failure', (reason) => this.callFailed(call, reason));
    call.on('waiting', () => current() && this.phase.set('waiting'));
    call.on('connection', (reconnecting) => current() && this.reconnecting.set(reconnecting));
    call.on('notice', (notice) => current() && this.notice.set(notice));
    call.on('link', (link) => {
      if (!current()) return;
      // A rejoin (after the server forgot this person) takes the new link from here too.
      this.link.set(link);
      this.notice.set('link-renewed');
    });
    call.on('reaction', ({ from, emoji }) => current() && this.#reactions.show(from, emoji));
    call.on('chat', (message) => {
      const sender = message.self ? undefined : this.participants().find((participant) => participant.peerId === message.from);
      if (current()) this.#chat.add(message, sender);
    });
    this.host.follow(call, current);
    return call;
  }

  /** A device can end by itself (unplugged, permission revoked): then it is off, here and for the others. */
  private watch(kind: 'camera' | 'microphone', track: MediaStreamTrack): MediaStreamTrack {
    track.addEventListener('ended', () => {
      void this.serially(async () => {
        if (kind === 'camera' && this.camera() === track) this.camera.set(undefined);
        else if (kind === 'microphone' && this.#microphone === track) {
          this.useMicrophone(undefined);
          this.microphoneOn.set(false);
        } else return;
        await this.#joined?.setMedia(kind, null);
      });
    });
    return track;
  }

  /** The microphone in use; the speakers hear a copy of it, to tell when this person talks while muted. */
  private useMicrophone(track: MediaStreamTrack | undefined): MediaStreamTrack | undefined {
    this.#microphone = track;
    this.speakers.hearSelf(track);
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
    this.#proof.stop();
    this.reconnecting.set(false);
    this.notice.set(undefined);
    this.participants.set([]);
    this.speakers.hear([]);
    this.e2ee.set(undefined);
    this.#chat.clear();
    this.host.joined(undefined);
    this.phase.set(phase);
    for (const release of this.#duringCall ?? []) release();
    this.#duringCall = undefined;
    this.camera()?.stop();
    this.camera.set(undefined);
    this.#microphone?.stop();
    this.useMicrophone(undefined);
    this.microphoneOn.set(false);
    this.screenShare.release();
    this.hand.set(false);
    this.#reactions.clear();
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
