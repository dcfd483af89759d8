import { Controller, Get, Header, Inject } from '@nestjs/common';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { MediaService, type MediaCensus } from '../media/media.service';
import { RoomsService } from '../rooms/rooms.service';

export type Health = { status: 'ok' } & Partial<MediaCensus & { rooms: number; peers: number }>;

/**
 * Liveness for load balancers and supervisors. With RAUM_HEALTH_DETAILS it
 * also reports aggregate counts (never ids), which the end-to-end tests use
 * to prove that an emptied room leaves nothing behind.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly media: MediaService,
    private readonly rooms: RoomsService,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async health(): Promise<Health> {
    if (!this.config.healthDetails) return { status: 'ok' };
    return { status: 'ok', rooms: this.rooms.roomCount, peers: this.rooms.peerCount, ...(await this.media.census()) };
  }
}
