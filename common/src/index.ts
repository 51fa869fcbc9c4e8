export { exponentialBackoff } from './backoff.ts';
export { type Clock, systemClock } from './clock.ts';
export { ConfigError } from './config-error.ts';
export { type ConfigOf, describeConfig, type FieldSpec, field, loadConfig } from './config-loader.ts';
export { createLogger, type Logger, type LogLevel } from './logger.ts';
