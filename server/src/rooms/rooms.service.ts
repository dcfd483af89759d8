import { Inject, Injectable } from '@nestjs/common';
import type { types } from 'mediasoup';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { Peer, type Notify } from './peer';
import { Room } from './room';

/**
 * All rooms of this server, in memory only. A room exists while someone is in
 * it; its id is never logged or stored.
 */
@Injectable()
export class RoomsService {
  readonly #rooms = new Map<string, Room>();
  readonly #opening = new Map<string, Promise<Room>>();

  constructor(
    private readonly media: MediaService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  get roomCount(): number {
    return this.#rooms.size;
  }

  get peerCount(): number {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.peerCount;
    return peers;
  }

  /** Puts a new peer into the room, opening the room first if nobody is in it. */
  async join(
    roomId: string,
    { displayName, e2ee, requireE2ee = false }: { displayName?: string; e2ee: boolean; requireE2ee?: boolean },
    rtpCapabilities: types.RtpCapabilities,
    notify: Notify,
  ): Promise<{ room: Room; peer: Peer; others: ReturnType<Room['admit']> }> {
    const room = await this.open(roomId);
    const peer = new Peer(displayName, e2ee, rtpCapabilities, notify);
    try {
      return { room, peer, others: room.admit(peer, requireE2ee) };
    } catch (error) {
      if (room.peerCount === 0) room.close();
      throw error;
    }
  }

  private open(roomId: string): Promise<Room> {
    const existing = this.#rooms.get(roomId);
    if (existing) return Promise.resolve(existing);
    // Two people opening the same new room at once must share one router.
    let opening = this.#opening.get(roomId);
    if (!opening) {
      opening = this.media
        .createRouter()
        .then(({ router, webRtcServer }) => {
          const room = new Room(router, webRtcServer, this.config.maxPeersPerRoom, this.config.requireE2ee);
          this.#rooms.set(roomId, room);
          room.once('close', () => this.#rooms.delete(roomId));
          return room;
        })
        .finally(() => this.#opening.delete(roomId));
      this.#opening.set(roomId, opening);
    }
    return opening;
  }

  /** Closes every room, for shutdown. */
  closeAll(): void {
    for (const room of [...this.#rooms.values()]) room.close();
  }
}
