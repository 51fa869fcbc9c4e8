export { GARBAGE_BODY, type ImdsFaults, MAX_FAULT_DELAY_MS, parseFaults } from './imds-faults.ts';
export { ImdsFleet, type ImdsFleetOptions } from './imds-fleet.ts';
export { architectureOf, awsTime, regionOf, scheduledEventTime } from './imds-format.ts';
export {
  FAULTS_PATH,
  type ImdsServer,
  type ImdsServerOptions,
  type ImdsStats,
  STATS_PATH,
  startImdsServer,
  TOKEN_HEADER,
  TOKEN_PATH,
  TTL_HEADER,
} from './imds-server.ts';
export { MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS } from './imds-tokens.ts';
