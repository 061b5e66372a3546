import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { dataSourceOptions } from './data-source';

function connectionPool(servesRequests: boolean): DynamicModule {
  return TypeOrmModule.forRootAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => ({
      ...dataSourceOptions(config.DATABASE_URL, {
        poolSize: config.DATABASE_POOL_SIZE,
        applicationName: 'schoolbench',
        // Set by node-postgres on every connection it opens: no statement of a request may run
        // longer, whatever the query. Workers' jobs (imports, comparisons) are long by nature.
        ...(servesRequests && config.DATABASE_STATEMENT_TIMEOUT_MS > 0
          ? { extra: { statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS } }
          : {}),
      }),
      autoLoadEntities: true,
      // Fail fast at boot instead of retrying for minutes; the start script names the fix.
      retryAttempts: 1,
      retryDelay: 500,
    }),
  });
}

/**
 * The services' connection pool, as the app role. Entities register with `forFeature`. Workers,
 * the web and the CLI import the module as is; the API imports `DatabaseModule.servingRequests()`,
 * whose connections carry DATABASE_STATEMENT_TIMEOUT_MS. That pool is declared only when the API
 * asks for it: declaring it at import time as well registered the default data source twice in
 * every process (a warning from @nestjs/typeorm at every start).
 */
@Global()
@Module({ imports: [connectionPool(false)] })
export class DatabaseModule {
  static servingRequests(): DynamicModule {
    return { module: DatabaseRequestsModule, global: true, imports: [connectionPool(true)] };
  }
}

@Global()
@Module({})
class DatabaseRequestsModule {}
