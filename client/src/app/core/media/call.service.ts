import { Injectable, type OnDestroy, signal } from '@angular/core';
import { SignallingChannel, SignallingError } from '../signalling/signalling-channel';
import { Call, type CallFailure, type Participant } from './call';
import { capture, type CaptureFailure } from './local-media';

export type Phase = 'prejoin' | 'joining' | 'in-call' | 'left' | 'failed';

/**
 * The page's view of one call: local camera and microphone, the phase of
 * the call and the other participants, as signals. Provided per room page,
 * so leaving the page ends the call and releases the devices.
 */
@Injectable()
export class CallService implements OnDestroy {
  readonly phase = signal<Phase>('prejoin');
  readonly failure = signal<CallFailure | undefined>(undefined);
  readonly participants = signal<readonly Participant[]>([]);
  /** The own camera, for the preview and the self-view tile. */
  readonly camera = signal<MediaStreamTrack | undefined>(undefined);
  readonly cameraProblem = signal<CaptureFailure | undefined>(undefined);
  readonly microphoneOn = signal(false);
  readonly microphoneProblem = signal<CaptureFailure | undefined>(undefined);

  #microphone: MediaStreamTrack | undefined;
  /** Connected (and prepared) from the preview on; joined only in the 'in-call' phase. */
  #call: Call | undefined;
  /** The last toggle's work, so quick double-clicks apply in order. */
  #busy: Promise<unknown> = Promise.resolve();
  /** The preview's device requests; joining waits for them so nobody joins without what they chose. */
  #devicesReady: Promise<void> = Promise.resolve();

  /** Opens camera and microphone for the pre-join preview. */
  preview(): Promise<void> {
    this.#devicesReady = this.openDevices();
    // Connect and load the media device meanwhile; a failure here shows when joining.
    this.#call ??= this.newCall();
    this.#call.prepare().catch(() => undefined);
    return this.#devicesReady;
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

  /** Back to the pre-join screen after leaving or a failure, with fresh devices. */
  async again(): Promise<void> {
    this.phase.set('prejoin');
    this.failure.set(undefined);
    this.cameraProblem.set(undefined);
    this.microphoneProblem.set(undefined);
    await this.preview();
  }

  async join(roomId: string, displayName: string): Promise<void> {
    if (this.phase() === 'joining' || this.phase() === 'in-call') return;
    this.phase.set('joining');
    this.failure.set(undefined);
    await this.#devicesReady;
    await this.#busy;
    const call = (this.#call ??= this.newCall());
    const microphone = this.#microphone;
    if (microphone) microphone.enabled = this.microphoneOn();
    try {
      await call.join({ roomId, displayName: displayName.trim() || undefined, camera: this.camera(), microphone });
      if (this.#call !== call) return;
      this.phase.set('in-call');
      // Apply the devices' state now, including what was toggled while joining.
      await this.serially(async () => {
        await call.setMedia('camera', this.camera() ?? null);
        await call.setMedia('microphone', this.microphoneOn() ? (this.#microphone ?? null) : null);
      });
    } catch (error) {
      this.fail(error instanceof SignallingError && error.code === 'room-full' ? 'room-full' : 'server-error');
    }
  }

  toggleCamera(): Promise<unknown> {
    return this.serially(async () => {
      const current = this.camera();
      if (current) {
        this.camera.set(undefined);
        current.stop();
        await this.joinedCall()?.setMedia('camera', null);
        return;
      }
      const camera = await capture('camera');
      if (!camera.ok) {
        this.cameraProblem.set(camera.reason);
        return;
      }
      this.cameraProblem.set(undefined);
      this.camera.set(this.watch('camera', camera.track));
      await this.joinedCall()?.setMedia('camera', camera.track);
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
      await this.joinedCall()?.setMedia('microphone', on ? this.#microphone : null);
    });
  }

  async leave(): Promise<void> {
    const call = this.#call;
    this.#call = undefined;
    this.participants.set([]);
    this.phase.set('left');
    this.releaseDevices();
    await call?.leave();
  }

  ngOnDestroy(): void {
    void this.leave();
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
        await this.joinedCall()?.setMedia(kind, null);
      });
    });
    return track;
  }

  /** The call, once joined: before that, toggles change only the local devices. */
  private joinedCall(): Call | undefined {
    return this.phase() === 'in-call' ? this.#call : undefined;
  }

  private newCall(): Call {
    const call = new Call(SignallingChannel.connect());
    call.onChange((participants) => this.participants.set(participants));
    call.onFailure((reason) => this.fail(reason));
    return call;
  }

  private fail(reason: CallFailure): void {
    this.#call = undefined;
    this.participants.set([]);
    this.failure.set(reason);
    this.phase.set('failed');
    this.releaseDevices();
  }

  private releaseDevices(): void {
    this.camera()?.stop();
    this.camera.set(undefined);
    this.#microphone?.stop();
    this.#microphone = undefined;
    this.microphoneOn.set(false);
  }

  private serially(work: () => Promise<void>): Promise<unknown> {
    const next = this.#busy.then(work, work);
    this.#busy = next.catch(() => undefined);
    return next;
  }
}
