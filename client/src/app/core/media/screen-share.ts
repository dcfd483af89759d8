import { signal } from '@angular/core';
import type { Call } from './call';
import { canShareScreen, captureScreen } from './screen-capture';

/** How long "no screen to share" stays on screen. */
const FAILURE_SHOWN_MS = 8000;

/**
 * This person's screen share: its own producers (screen, and screen-audio
 * where the browser gives it), encrypted like the camera, and ended cleanly
 * by the button or by the browser's own "stop sharing".
 */
export class ScreenShare {
  readonly supported = canShareScreen();
  /** The shared picture, while sharing. */
  readonly track = signal<MediaStreamTrack | undefined>(undefined);
  #audio: MediaStreamTrack | undefined;

  constructor(
    /** The joined call, if any. */
    private readonly call: () => Call | undefined,
    /** Runs the share's work in order with the page's other device changes. */
    private readonly serially: (work: () => Promise<void>) => Promise<unknown>,
  ) {}

  /** The last attempt found no screen to share (a cancel is not a failure); said for a few seconds. */
  readonly failed = signal(false);
  #failedTimer: ReturnType<typeof setTimeout> | undefined;

  /** Asks which screen to share and sends it; nothing happens when the person cancels. */
  async start(): Promise<void> {
    this.failed.set(false);
    clearTimeout(this.#failedTimer);
    const shared = await captureScreen();
    if (shared === 'unavailable') {
      this.failed.set(true);
      this.#failedTimer = setTimeout(() => this.failed.set(false), FAILURE_SHOWN_MS);
    }
    if (typeof shared === 'string') return;
    if (!this.call()) {
      for (const track of [shared.video, shared.audio]) track?.stop();
      return;
    }
    shared.video.addEventListener('ended', () => void this.serially(() => this.stop(shared.video)));
    this.track.set(shared.video);
    this.#audio = shared.audio;
    await this.sendTo(this.call());
  }

  async stop(track = this.track()): Promise<void> {
    if (!track || this.track() !== track) return;
    this.release();
    await this.call()?.stopMedia('screen');
    await this.call()?.stopMedia('screen-audio');
  }

  /** A call joined afresh sends the share that goes on. */
  async sendTo(call: Call | undefined): Promise<void> {
    const video = this.track();
    if (!call || !video) return;
    await call.setMedia('screen', video);
    if (this.#audio) await call.setMedia('screen-audio', this.#audio);
  }

  release(): void {
    for (const track of [this.track(), this.#audio]) track?.stop();
    this.track.set(undefined);
    this.#audio = undefined;
  }
}
