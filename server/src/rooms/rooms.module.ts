import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { RoomsService } from './rooms.service';

@Module({ imports: [MediaModule], providers: [RoomsService], exports: [RoomsService] })
export class RoomsModule {}
