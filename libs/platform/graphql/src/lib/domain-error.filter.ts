import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';

import { DomainError, type ErrorCode } from './domain-error';

const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  BAD_USER_INPUT: HttpStatus.BAD_REQUEST,
  PROTOCOL_REQUIRED: HttpStatus.FORBIDDEN,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
};

/** Domain errors on REST routes: the same code and message as in GraphQL, with an HTTP status. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): DomainError | void {
    // GraphQL formats its own errors (see error-formatting.ts).
    if (host.getType<string>() === 'graphql') return error;
    const res = host.switchToHttp().getResponse<Response>();
    res
      .status(STATUS[error.code])
      .json({ code: error.code, message: error.message, ...error.details });
  }
}
