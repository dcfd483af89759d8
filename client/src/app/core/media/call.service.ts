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
  #call: Call | undefined;
  /** The last toggle's work, so quick double-clicks apply in order. */
  #busy: Promise<unknown> = Promise.resolve();
  /** The preview's device requests; joining waits for them so nobody joins without what they chose. */
  #devicesReady: Promise<void> = Promise.resolve();

  /** Opens camera and microphone for the pre-join preview. */
  preview(): Promise<void> {
    this.#devicesReady = this.openDevices();
    return this.#devicesReady;
  }

  private async openDevices(): Promise<void> {
    const [camera, microphone] = await Promise.all([capture('camera'), capture('microphone')]);
    if (camera.ok) this.camera.set(camera.track);
    else this.cameraProblem.set(camera.reason);
    if (microphone.ok) {
      this.#microphone = microphone.track;
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
    const call = new Call(SignallingChannel.connect());
    this.#call = call;
    call.onChange((participants) => this.participants.set(participants));
    call.onFailure((reason) => this.fail(reason));
    const microphone = this.#microphone;
    if (microphone) microphone.enabled = this.microphoneOn();
    try {
      await call.join({ roomId, displayName: displayName.trim() || undefined, camera: this.camera(), microphone });
      if (microphone && !this.microphoneOn()) await call.setMicrophone(false);
      if (this.#call === call) this.phase.set('in-call');
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
        await this.#call?.setCamera(null);
        return;
      }
      const camera = await capture('camera');
      if (!camera.ok) {
        this.cameraProblem.set(camera.reason);
        return;
      }
      this.cameraProblem.set(undefined);
      this.camera.set(camera.track);
      await this.#call?.setCamera(camera.track);
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
        this.#microphone = microphone.track;
        this.microphoneProblem.set(undefined);
      }
      const on = !this.microphoneOn();
      this.microphoneOn.set(on);
      this.#microphone.enabled = on;
      await this.#call?.setMicrophone(on);
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
