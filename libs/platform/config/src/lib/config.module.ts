import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';

import { AppConfig, loadAppConfig } from './app-config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Validates the environment at boot and provides one typed `AppConfig` object. */
@Global()
@Module({
  imports: [
    NestConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: loadAppConfig }),
  ],
  providers: [{ provide: APP_CONFIG, useFactory: (): AppConfig => loadAppConfig() }],
  exports: [APP_CONFIG],
})
export class AppConfigModule {}
