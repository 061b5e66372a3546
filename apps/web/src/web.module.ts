import { tmpdir } from 'node:os';
import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';

import { ClubsModule } from '@schoolbench/clubs';
import { ComparisonsModule } from '@schoolbench/comparisons';
import { APP_CONFIG, AppConfigModule, type AppConfig } from '@schoolbench/config';
import { DatabaseModule } from '@schoolbench/database';
import { DatasetsModule } from '@schoolbench/datasets';
import { RequestLoaders } from '@schoolbench/graphql';
import { IdentityModule } from '@schoolbench/identity';
import { LoggingModule, ObservabilityModule } from '@schoolbench/observability';
import { QueueModule } from '@schoolbench/queue';
import { SchoolsModule } from '@schoolbench/schools';
import { SharingModule } from '@schoolbench/sharing';
import { TargetsModule } from '@schoolbench/targets';
import { TenancyModule } from '@schoolbench/tenancy';
import { TenantExportRequestsModule, TenantsModule } from '@schoolbench/tenants';

import { WEB_CONTROLLERS } from './pages';
import { SchoolPages } from './pages/school-pages';
import { PageTransactionInterceptor, PageTransactionMiddleware } from './request-transaction';
import { WebSessionMiddleware } from './session/web-session.middleware';
import { WebSessions } from './session/web-sessions';
import { WebErrorFilter } from './web-error.filter';

/** The per-request DataLoaders the capability libraries use; in the API, the GraphQL module has them. */
@Global()
@Module({ providers: [RequestLoaders], exports: [RequestLoaders] })
class RequestLoadersModule {}

/**
 * The web dashboard: wiring only. The same capability modules as the API, so pages call the same
 * services under the same global AccessGuard, tenant transactions and row-level security.
 */
@Module({
  imports: [
    AppConfigModule,
    TenancyModule,
    LoggingModule,
    DatabaseModule,
    QueueModule,
    ObservabilityModule,
    RequestLoadersModule,
    IdentityModule,
    TenantsModule,
    SchoolsModule,
    DatasetsModule,
    ComparisonsModule,
    SharingModule,
    ClubsModule,
    TargetsModule,
    TenantExportRequestsModule,
    // The upload form streams to a temporary file, bounded by the same limit as the API's upload.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        storage: diskStorage({ destination: tmpdir() }),
        limits: { fileSize: config.UPLOAD_MAX_BYTES, files: 2 },
      }),
    }),
  ],
  controllers: WEB_CONTROLLERS,
  providers: [
    WebSessions,
    SchoolPages,
    { provide: APP_FILTER, useClass: WebErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: PageTransactionInterceptor },
  ],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebSessionMiddleware, PageTransactionMiddleware).forRoutes('*');
  }
}
