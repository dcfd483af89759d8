import { Injectable } from '@nestjs/common';
import { MediaService, type MediaCensus } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { Admission } from '../signalling/admission';
import type { SessionEvent } from '../signalling/session';
import { SignallingGateway } from '../signalling/signalling.gateway';

export type Counts = MediaCensus & {
  rooms: number;
  peers: number;
  sockets: number;
  sessions: number;
  protocolErrors: number;
  /** Cluster mode: sockets of this node relayed to another node, and of other nodes relayed here. */
  relayedOut: number;
  relayedIn: number;
  sessionEvents: Readonly<Record<SessionEvent, number>>;
};

/** Counted at most this often, however often asked for (the census asks every worker). */
const CACHE_MS = 1000;

/**
 * What this server holds now and what happened to its sessions, as
 * aggregate counts only (never an id, an address or a name): for /health's
 * details and the operator's metrics.
 */
@Injectable()
export class ServerCounts {
  private cached: { at: number; counts: Promise<Counts> } | undefined;

  constructor(
    private readonly media: MediaService,
    private readonly rooms: RoomsService,
    private readonly admission: Admission,
    private readonly signalling: SignallingGateway,
  ) {}

  counts(): Promise<Counts> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, counts: this.count() };
    return this.cached.counts;
  }

  private async count(): Promise<Counts> {
    return {
      rooms: this.rooms.roomCount,
      peers: this.rooms.peerCount,
      sockets: this.admission.openSockets,
      sessions: this.signalling.sessionCount,
      protocolErrors: this.admission.protocolErrors,
      relayedOut: this.signalling.relayed.out,
      relayedIn: this.signalling.relayed.in,
      sessionEvents: this.signalling.sessionEvents,
      ...(await this.media.census()),
    };
  }
}
