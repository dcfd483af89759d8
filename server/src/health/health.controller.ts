import { Controller, Get, Header, Inject } from '@nestjs/common';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService, type MediaCensus } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';
import { Admission } from '../signalling/admission';
import type { SessionEvent } from '../signalling/session';
import { SignallingGateway } from '../signalling/signalling.gateway';

type Details = MediaCensus & {
  rooms: number;
  peers: number;
  sockets: number;
  sessions: number;
  protocolErrors: number;
  sessionEvents: Readonly<Record<SessionEvent, number>>;
};
export type Health = { status: 'ok' } & Partial<Details>;

/** Details are counted at most this often, however often they are asked for. */
const DETAILS_CACHE_MS = 1000;

/**
 * Liveness for load balancers and supervisors. With RAUM_HEALTH_DETAILS it
 * also reports aggregate counts (never ids), which the end-to-end tests use
 * to prove that an emptied room leaves nothing behind.
 */
@Controller('health')
export class HealthController {
  private cached: { at: number; details: Promise<Details> } | undefined;

  constructor(
    private readonly media: MediaService,
    private readonly rooms: RoomsService,
    private readonly admission: Admission,
    private readonly signalling: SignallingGateway,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async health(): Promise<Health> {
    if (!this.config.healthDetails) return { status: 'ok' };
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= DETAILS_CACHE_MS) this.cached = { at: now, details: this.details() };
    return { status: 'ok', ...(await this.cached.details) };
  }

  private async details(): Promise<Details> {
    return {
      rooms: this.rooms.roomCount,
      peers: this.rooms.peerCount,
      sockets: this.admission.openSockets,
      sessions: this.signalling.sessionCount,
      protocolErrors: this.admission.protocolErrors,
      sessionEvents: this.signalling.sessionEvents,
      ...(await this.media.census()),
    };
  }
}
