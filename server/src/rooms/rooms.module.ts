import { Module } from '@nestjs/common';
import { ClusterModule } from '../cluster/cluster.module';
import { MediaModule } from '../media/media.module';
import { RoomsService } from './rooms.service';

@Module({ imports: [MediaModule, ClusterModule], providers: [RoomsService], exports: [RoomsService] })
export class RoomsModule {}
