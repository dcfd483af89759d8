import { Inject, Injectable, Logger } from '@nestjs/common';
import type { types } from 'mediasoup';
import { RaumError } from '../common/errors';
import { ClusterService } from '../cluster/cluster.service';
import { NodePipes } from '../cluster/node-pipes';
import { RemoteMedia } from '../cluster/remote-media';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { Peer, SOURCE_KIND, type PeerLink, type PeerLimits } from './peer';
import { Room } from './room';

/**
 * All rooms of this server, in memory only. A room exists while someone is in
 * it; its id is never logged or stored.
 */
@Injectable()
export class RoomsService {
  private readonly logger = new Logger('rooms');
  readonly #rooms = new Map<string, Room>();
  readonly #opening = new Map<string, Promise<Room>>();
  readonly #peerLimits: PeerLimits;
  #draining = false;

  constructor(
    private readonly media: MediaService,
    private readonly cluster: ClusterService,
    private readonly pipes: NodePipes,
    private readonly remote: RemoteMedia,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {
    this.#peerLimits = {
      incomingBitrate: config.limits.incomingBitrate,
      consumers: (config.maxPeersPerRoom - 1) * Object.keys(SOURCE_KIND).length,
    };
    cluster.onLost((roomId) => {
      const room = this.#rooms.get(roomId);
      if (!room) return;
      this.logger.warn('another node took over a meeting held here; its people join again there');
      room.moveAway();
    });
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** From now on nobody new joins (the server is shutting down); who is in stays. */
  drain(): void {
    this.#draining = true;
  }

  get roomCount(): number {
    return this.#rooms.size;
  }

  get peerCount(): number {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.peerCount;
    return peers;
  }

  /**
   * Puts a new peer into the room (or its lobby, see Room.enter), opening
   * the room first if nobody is in it.
   */
  async join(
    roomId: string,
    { e2ee, requireE2ee = false, host = false, linkProof }: { e2ee: boolean; requireE2ee?: boolean; host?: boolean; linkProof?: string },
    rtpCapabilities: types.RtpCapabilities,
    link: PeerLink,
  ): Promise<{ room: Room; peer: Peer } & ReturnType<Room['enter']>> {
    if (this.#draining) throw new RaumError('server-draining', 'this server is restarting; try again in a moment');
    const room = await this.open(roomId);
    const peer = new Peer(e2ee, host, rtpCapabilities, link, this.#peerLimits);
    try {
      return { room, peer, ...room.enter(peer, requireE2ee, linkProof) };
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
      if (this.#rooms.size + this.#opening.size >= this.config.limits.roomsPerServer) {
        return Promise.reject(new RaumError('server-busy', 'this server has no room for another meeting now; try again later'));
      }
      opening = this.media
        .createRouter()
        .then((home) => {
          // In a cluster, participants whose sockets are on other nodes get the room's router there.
          const cluster = this.cluster.enabled ? { nodeId: this.cluster.nodeId, pipes: this.pipes, remote: this.remote } : undefined;
          const room = new Room(this.media, home, this.config.maxPeersPerRoom, this.config.requireE2ee, cluster);
          this.#rooms.set(roomId, room);
          this.cluster.hold(roomId);
          room.once('close', () => {
            this.#rooms.delete(roomId);
            this.cluster.letGo(roomId);
          });
          room.on('media-lost', () => void this.rehome(room));
          return room;
        })
        .finally(() => this.#opening.delete(roomId));
      this.#opening.set(roomId, opening);
    }
    return opening;
  }

  /** A room whose worker died moves to a router on a live worker; its people stay. */
  private async rehome(room: Room): Promise<void> {
    try {
      room.rehome(await this.media.createRouter());
    } catch (error) {
      // When the server is shutting down there is nothing to move to, and nothing to report.
      if (!this.media.closing)
        this.logger.warn(`a meeting could not move to another media worker: ${error instanceof Error ? error.name : String(error)}`);
      room.close();
    }
  }
}
