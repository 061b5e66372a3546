export { createLogger, PinoNestLogger, type LogContext } from './lib/logger';
export { LOGGER, LoggingModule } from './lib/logging.module';
export { httpRequestDuration, metricsRegistry } from './lib/metrics';
export { ObservabilityModule } from './lib/observability.module';
