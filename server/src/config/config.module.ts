import { Module, type DynamicModule } from '@nestjs/common';
import { RAUM_CONFIG, type RaumConfig } from './config';

/** Makes the configuration, read once at start, injectable everywhere. */
@Module({})
export class ConfigModule {
  static forRoot(config: RaumConfig): DynamicModule {
    return { module: ConfigModule, global: true, providers: [{ provide: RAUM_CONFIG, useValue: config }], exports: [RAUM_CONFIG] };
  }
}
