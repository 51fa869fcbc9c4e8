export { type Clock, systemClock } from './clock.ts';
export { createLogger, type Logger, type LogLevel } from './logger.ts';
export { ConfigError } from './config-error.ts';
export { exponentialBackoff } from './backoff.ts';
export { type ConfigOf, describeConfig, type FieldSpec, field, loadConfig } from './config-loader.ts';
