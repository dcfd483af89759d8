import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SignallingModule } from '../signalling/signalling.module';
import { HealthController } from './health.controller';
import { MetricsService } from './metrics.service';
import { ServerCounts } from './server-counts';

@Module({
  imports: [MediaModule, RoomsModule, SignallingModule],
  controllers: [HealthController],
  providers: [ServerCounts, MetricsService],
})
export class HealthModule {}
