import { Controller, Get, Header, Inject } from '@nestjs/common';
import { RAUM_CONFIG, type RaumConfig } from '../config/config';
import { ServerCounts, type Counts } from './server-counts';

export type Health = { status: 'ok' } & Partial<Counts>;

/**
 * Liveness for load balancers and supervisors. With RAUM_HEALTH_DETAILS it
 * also reports aggregate counts (never ids), which the end-to-end tests use
 * to prove that an emptied room leaves nothing behind.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly counts: ServerCounts,
    @Inject(RAUM_CONFIG) private readonly config: RaumConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async health(): Promise<Health> {
    if (!this.config.healthDetails) return { status: 'ok' };
    return { status: 'ok', ...(await this.counts.counts()) };
  }
}
