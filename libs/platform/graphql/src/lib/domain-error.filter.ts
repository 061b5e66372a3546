import { ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

import { DomainError, type ErrorCode } from './domain-error';
import { RETRY_AFTER_SECONDS, serviceUnavailable } from './service-unavailable';

const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  BAD_USER_INPUT: HttpStatus.BAD_REQUEST,
  PROTOCOL_REQUIRED: HttpStatus.FORBIDDEN,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Domain errors on REST routes: the same code and message as in GraphQL, with an HTTP status. An
 * unreachable database is a 503 with Retry-After there too; anything else is Nest's default.
 */
@Catch()
export class DomainErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): unknown {
    // GraphQL formats its own errors (see error-formatting.ts); others go on as thrown.
    if (host.getType<string>() === 'graphql') {
      if (error instanceof DomainError) return error;
      throw error;
    }
    const domain = error instanceof DomainError ? error : serviceUnavailable(error);
    if (!domain) return super.catch(error, host);
    const res = host.switchToHttp().getResponse<Response>();
    if (domain.code === 'SERVICE_UNAVAILABLE') {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    }
    res
      .status(STATUS[domain.code])
      .json({ code: domain.code, message: domain.message, ...domain.details });
    return undefined;
  }
}
