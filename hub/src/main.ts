import { ConfigError, createLogger, describeConfig, type LogLevel, loadConfig } from '@ballast/common';
import { HUB_CONFIG } from './config/hub-config.ts';
import { Hub } from './hub.ts';

if (process.argv.includes('--help')) {
  process.stdout.write(`ballast hub\n\nFlags (each falls back to its environment variable):\n${describeConfig(HUB_CONFIG)}\n`);
  process.exit(0);
}

let config: ReturnType<typeof loadConfig<typeof HUB_CONFIG>>;
try {
  config = loadConfig(HUB_CONFIG);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`ballast hub: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const log = createLogger('hub', config.logLevel as LogLevel);
let hub: Hub;
try {
  hub = new Hub(config, log);
} catch (err) {
  log.error('hub failed to start', { err });
  process.stderr.write(`ballast hub: ${(err as Error).message}\n`);
  process.exit(1);
}
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  await hub.shutdown().catch((err) => log.error('shutdown failed', { err }));
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

hub.start().catch((err) => {
  log.error('hub failed to start', { err });
  process.stderr.write(`ballast hub: ${(err as Error).message}\n`);
  process.exit(1);
});
