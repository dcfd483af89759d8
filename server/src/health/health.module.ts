import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { RoomsModule } from '../rooms/rooms.module';
import { HealthController } from './health.controller';

@Module({ imports: [MediaModule, RoomsModule], controllers: [HealthController] })
export class HealthModule {}
