import { Module, type DynamicModule } from '@nestjs/common';
import type { RaumConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MediaModule } from './media/media.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RoomsModule } from './rooms/rooms.module';
import { SignallingModule } from './signalling/signalling.module';

@Module({})
export class AppModule {
  static forRoot(config: RaumConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), MediaModule, RoomsModule, SignallingModule, HealthModule, PrivacyModule],
    };
  }
}
