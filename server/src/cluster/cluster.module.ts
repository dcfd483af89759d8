import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { ClusterService } from './cluster.service';
import { MediaAgent } from './media-agent';
import { NodePipes } from './node-pipes';
import { RemoteMedia } from './remote-media';

@Module({
  imports: [MediaModule],
  providers: [ClusterService, NodePipes, RemoteMedia, MediaAgent],
  exports: [ClusterService, NodePipes, RemoteMedia],
})
export class ClusterModule {}
