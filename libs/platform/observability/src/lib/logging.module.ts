import { randomUUID } from 'node:crypto';
import { Global, Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { TenantContext } from '@schoolbench/tenancy';

import { createLogger } from './logger';

export const LOGGER = Symbol('LOGGER');

/** JSON logs with request, tenant and user ids on every line; secrets redacted. */
@Global()
@Module({
  providers: [
    {
      provide: LOGGER,
      inject: [APP_CONFIG, TenantContext],
      useFactory: (config: AppConfig, context: TenantContext): Logger =>
        createLogger(config.LOG_LEVEL, () => {
          const principal = context.principalOrNull();
          return {
            requestId: context.requestId(),
            tenantId: principal?.tenantId,
            userId: principal?.userId,
          };
        }),
    },
  ],
  exports: [LOGGER],
})
export class LoggingModule implements NestModule {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly context: TenantContext,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const http = pinoHttp({
      logger: this.logger,
      genReqId: (req: Request) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
      },
      // Bodies are never logged: they carry passwords and data.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
    });
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        http(req, res);
        const id = req.id as string;
        this.context.setRequestId(id);
        res.setHeader('X-Request-Id', id);
        next();
      })
      .forRoutes('*');
  }
}
