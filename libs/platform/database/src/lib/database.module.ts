import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { dataSourceOptions } from './data-source';

/** The services' connection pool, as the app role. Entities register with `forFeature`. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.DATABASE_URL, {
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'schoolbench',
        }),
        autoLoadEntities: true,
        // Fail fast at boot instead of retrying for minutes; the start script names the fix.
        retryAttempts: 1,
        retryDelay: 500,
      }),
    }),
  ],
})
export class DatabaseModule {}
