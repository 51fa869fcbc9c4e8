import { fileURLToPath } from 'node:url';
import { type ConfigOf, field } from '@ballast/common';

const defaultConsoleDir = fileURLToPath(new URL('../../../console/dist', import.meta.url));

export const HUB_CONFIG = {
  httpHost: field({
    kind: 'string',
    flag: 'http-host',
    env: ['BALLAST_HTTP_HOST'],
    default: '0.0.0.0',
    help: 'address of the REST API and console',
  }),
  httpPort: field({
    kind: 'int',
    flag: 'http-port',
    env: ['PORT', 'BALLAST_HTTP_PORT'],
    default: 8080,
    min: 0,
    max: 65535,
    help: 'port of the REST API and console',
  }),
  grpcHost: field({ kind: 'string', flag: 'grpc-host', env: ['BALLAST_GRPC_HOST'], default: '0.0.0.0', help: 'address agents connect to' }),
  grpcPort: field({
    kind: 'int',
    flag: 'grpc-port',
    env: ['BALLAST_GRPC_PORT'],
    default: 9400,
    min: 0,
    max: 65535,
    help: 'gRPC port agents connect to',
  }),
  store: field({
    kind: 'enum',
    flag: 'store',
    env: ['BALLAST_STORE'],
    default: 'chdb',
    values: ['chdb', 'clickhouse'] as const,
    help: 'chdb (embedded) or clickhouse (server)',
  }),
  chdbPath: field({
    kind: 'string',
    flag: 'chdb-path',
    env: ['BALLAST_CHDB_PATH'],
    default: '.data/chdb',
    help: 'chDB data directory (one hub process per directory)',
  }),
  clickhouseUrl: field({
    kind: 'string',
    flag: 'clickhouse-url',
    env: ['BALLAST_CLICKHOUSE_URL'],
    default: 'http://localhost:8123',
    check: (v: string) => (isHttpUrl(v) ? null : `"${v}" is not an http(s) URL`),
    help: 'ClickHouse server HTTP(S) URL',
  }),
  clickhouseUser: field({
    kind: 'string',
    flag: 'clickhouse-user',
    env: ['BALLAST_CLICKHOUSE_USER'],
    default: 'default',
    help: 'ClickHouse user',
  }),
  clickhousePassword: field({
    kind: 'string',
    flag: 'clickhouse-password',
    env: ['BALLAST_CLICKHOUSE_PASSWORD'],
    default: '',
    help: 'ClickHouse password',
  }),
  clickhouseDatabase: field({
    kind: 'string',
    flag: 'clickhouse-database',
    env: ['BALLAST_CLICKHOUSE_DATABASE'],
    default: 'default',
    help: 'ClickHouse database',
  }),
  consoleDir: field({
    kind: 'string',
    flag: 'console-dir',
    env: ['BALLAST_CONSOLE_DIR'],
    default: defaultConsoleDir,
    help: 'built console files served at /',
  }),
  defaultTenant: field({
    kind: 'string',
    flag: 'default-tenant',
    env: ['BALLAST_DEFAULT_TENANT'],
    default: 'default',
    help: 'tenant of agents that name none',
  }),
  maxPointsPerBatch: field({
    kind: 'int',
    flag: 'max-points-per-batch',
    env: ['BALLAST_MAX_POINTS_PER_BATCH'],
    default: 50_000,
    min: 1,
    max: 10_000_000,
    help: 'larger batches are rejected',
  }),
  maxMessageBytes: field({
    kind: 'int',
    flag: 'max-message-bytes',
    env: ['BALLAST_MAX_MESSAGE_BYTES'],
    default: 8 * 1024 * 1024,
    min: 1024,
    max: 256 * 1024 * 1024,
    help: 'largest gRPC message accepted',
  }),
  maxSeriesPerAgent: field({
    kind: 'int',
    flag: 'max-series-per-agent',
    env: ['BALLAST_MAX_SERIES_PER_AGENT'],
    default: 100_000,
    min: 1,
    max: 10_000_000,
    help: 'series one agent may declare',
  }),
  flushPoints: field({
    kind: 'int',
    flag: 'flush-points',
    env: ['BALLAST_FLUSH_POINTS'],
    default: 200_000,
    min: 1,
    max: 10_000_000,
    help: 'insert once this many points wait',
  }),
  flushIntervalMs: field({
    kind: 'int',
    flag: 'flush-interval-ms',
    env: ['BALLAST_FLUSH_INTERVAL_MS'],
    default: 200,
    min: 1,
    max: 60_000,
    help: 'insert at latest this long after the first point',
  }),
  maxQueuedPoints: field({
    kind: 'int',
    flag: 'max-queued-points',
    env: ['BALLAST_MAX_QUEUED_POINTS'],
    default: 2_000_000,
    min: 1,
    max: 100_000_000,
    help: 'agents are held back (not acked) beyond this',
  }),
  collectIntervalMs: field({
    kind: 'int',
    flag: 'collect-interval-ms',
    env: ['BALLAST_COLLECT_INTERVAL_MS'],
    default: 10_000,
    min: 100,
    max: 3_600_000,
    help: 'collection interval advertised to agents',
  }),
  logLevel: field({
    kind: 'enum',
    flag: 'log-level',
    env: ['BALLAST_LOG_LEVEL'],
    default: 'info',
    values: ['info', 'warn', 'error', 'silent'] as const,
    help: 'log level',
  }),
};

export type HubConfig = ConfigOf<typeof HUB_CONFIG>;

function isHttpUrl(v: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}
