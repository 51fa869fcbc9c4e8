export { exponentialBackoff } from './backoff.ts';
export { type Clock, systemClock } from './clock.ts';
export { ConfigError } from './config-error.ts';
export {
  CONFIG_FILE_ENV,
  CONFIG_FILE_FLAG,
  type ConfigOf,
  describeConfig,
  type FieldSpec,
  field,
  type LoadConfigOptions,
  loadConfig,
} from './config-loader.ts';
export { createLogger, type Logger, type LogLevel } from './logger.ts';
