import type { types } from 'mediasoup-client';

/** A transport whose ICE is 'disconnected' this long gets an ICE restart (short outages heal by themselves). */
const DISCONNECTED_GRACE_MS = 2000;
/** ICE restarts of one transport are at least this far apart. */
const RESTART_SPACING_MS = 2000;

/**
 * Keeps a call's media paths alive on real networks: an ICE restart (new ICE
 * credentials from the SFU, so the browser looks for a path again) when a
 * transport's connectivity fails or stays disconnected, when the network
 * changes, and with fresh TURN credentials.
 */
export class IceRepair {
  readonly #lastRestart = new WeakMap<types.Transport, number>();

  constructor(
    /** Asks the SFU to restart ICE on its side of a transport. */
    private readonly newIceParameters: (transportId: string) => Promise<types.IceParameters>,
  ) {}

  watch(transport: types.Transport): void {
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') void this.restart(transport);
      if (state === 'disconnected') {
        setTimeout(() => transport.connectionState === 'disconnected' && void this.restart(transport), DISCONNECTED_GRACE_MS);
      }
    });
  }

  async restart(transport: types.Transport): Promise<void> {
    const last = this.#lastRestart.get(transport) ?? 0;
    if (transport.closed || Date.now() - last < RESTART_SPACING_MS) return;
    this.#lastRestart.set(transport, Date.now());
    try {
      const iceParameters = await this.newIceParameters(transport.id);
      if (!transport.closed) await transport.restartIce({ iceParameters });
    } catch {
      // The transport went away meanwhile (left, or the SFU reset it); the next state change tries again.
    }
  }

  /** Fresh TURN credentials: later allocations use them, and an ICE restart makes new ones now. */
  async renew(transport: types.Transport, iceServers: RTCIceServer[]): Promise<void> {
    if (transport.closed) return;
    await transport.updateIceServers({ iceServers });
    this.#lastRestart.delete(transport);
    await this.restart(transport);
  }
}
