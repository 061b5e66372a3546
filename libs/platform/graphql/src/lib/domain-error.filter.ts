import { ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

import { DomainError, type ErrorCode } from './domain-error';
import { requestErrorOf } from './request-errors';
import { serviceUnavailable } from './service-unavailable';

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
 * Errors on REST routes: domain errors, database errors caused by the caller's values
 * (request-errors.ts) and an unreachable database (503 with Retry-After) answer the same code and
 * message as in GraphQL with an HTTP status; anything else goes to Nest's default handling (a
 * logged 500).
 */
@Catch()
export class DomainErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): unknown {
    // GraphQL formats its own errors (see error-formatting.ts); others go on as thrown.
    if (host.getType<string>() === 'graphql') {
      if (error instanceof DomainError) return error;
      throw error;
    }
    const domain =
      error instanceof DomainError ? error : (requestErrorOf(error) ?? serviceUnavailable(error));
    if (!domain) return super.catch(error, host);
    const res = host.switchToHttp().getResponse<Response>();
    if (typeof domain.details.retryAfterSeconds === 'number') {
      res.setHeader('Retry-After', String(domain.details.retryAfterSeconds));
    }
    res
      .status(STATUS[domain.code])
      .json({ code: domain.code, message: domain.message, ...domain.details });
    return undefined;
  }
}
