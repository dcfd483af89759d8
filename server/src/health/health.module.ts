import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SignallingModule } from '../signalling/signalling.module';
import { HealthController } from './health.controller';

@Module({ imports: [MediaModule, RoomsModule, SignallingModule], controllers: [HealthController] })
export class HealthModule {}
