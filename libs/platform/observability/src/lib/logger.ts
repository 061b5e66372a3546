import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** Fields every line carries, read from the request or job context at the time of logging. */
export type LogContext = () => Record<string, string | undefined>;

const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  '*.invitationToken',
];

export function createLogger(level: string, context: LogContext): Logger {
  return pino({
    level,
    base: { service: process.env.SCHOOLBENCH_SERVICE ?? 'schoolbench' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin: () => {
      const fields = context();
      return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    },
  });
}

/** Nest's own log lines, as JSON through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
