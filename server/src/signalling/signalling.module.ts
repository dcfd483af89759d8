import { Module } from '@nestjs/common';
import { ClusterModule } from '../cluster/cluster.module';
import { MediaModule } from '../media/media.module';
import { RoomsModule } from '../rooms/rooms.module';
import { TurnModule } from '../turn/turn.module';
import { Admission } from './admission';
import { SignallingGateway } from './signalling.gateway';

@Module({
  imports: [MediaModule, RoomsModule, TurnModule, ClusterModule],
  providers: [SignallingGateway, Admission],
  exports: [SignallingGateway, Admission],
})
export class SignallingModule {}
