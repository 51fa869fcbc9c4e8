import { fileURLToPath } from 'node:url';
import { type ConfigOf, field } from '@ballast/common';
import { NATS_TLS_CONFIG } from '@ballast/proto/nats-tls-config';
import { parseApprovalPolicy } from '../governance/approval-policy.ts';
import { parseStoragePrices } from '../storage-cleanup/storage-prices.ts';
import { ACCESS_CONFIG } from './access-config.ts';
import { CLUSTER_CONFIG } from './cluster-config.ts';
import { METADATA_CONFIG } from './metadata-config.ts';

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
    // Large inserts mean fewer parts for ClickHouse to merge: on 2 cores under 1,000 bench
    // agents, 500k-point flushes stored 400-580k points/s where 200k ones stored 300-450k.
    default: 500_000,
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
    // Room for a flush being inserted while the next ones gather (~100 MB of columns).
    default: 4_000_000,
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
  natsUrl: field({
    kind: 'string',
    flag: 'nats-url',
    env: ['BALLAST_NATS_URL'],
    default: '',
    check: (v: string) => (v === '' || v.split(',').every((u) => /^(nats|tls):\/\/\S+$/.test(u)) ? null : `"${v}" is not a nats:// URL`),
    help: 'NATS server URL(s): also take agent batches from JetStream (empty: off)',
  }),
  natsConsumer: field({
    kind: 'string',
    flag: 'nats-consumer',
    env: ['BALLAST_NATS_CONSUMER'],
    default: 'ballast-hub',
    check: (v: string) => (/^[A-Za-z0-9_-]+$/.test(v) ? null : `"${v}" is not a consumer name ([A-Za-z0-9_-])`),
    help: 'durable JetStream consumer shared by every hub process',
  }),
  natsAckWaitMs: field({
    kind: 'int',
    flag: 'nats-ack-wait-ms',
    env: ['BALLAST_NATS_ACK_WAIT_MS'],
    default: 30_000,
    min: 1_000,
    max: 600_000,
    help: 'how long JetStream waits for a hub that took a message and went silent before redelivering it',
  }),
  natsStreamMaxMiB: field({
    kind: 'int',
    flag: 'nats-stream-max-mib',
    env: ['BALLAST_NATS_STREAM_MAX_MIB'],
    default: 1_024,
    min: 1,
    max: 16_777_216,
    help: 'size of the JetStream stream; when full, agents keep their batches on disk until hubs catch up',
  }),
  clickhouseCluster: field({
    kind: 'string',
    flag: 'clickhouse-cluster',
    env: ['BALLAST_CLICKHOUSE_CLUSTER'],
    default: '',
    check: (v: string) => (v === '' || /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v) ? null : `"${v}" is not a cluster name`),
    help: 'ClickHouse cluster (remote_servers) for replicated, sharded tables; empty: one node. Needs --store clickhouse',
  }),
  retentionRawDays: field({
    kind: 'int',
    flag: 'retention-raw-days',
    env: ['BALLAST_RETENTION_RAW_DAYS'],
    default: 15,
    min: 0,
    max: 36_500,
    help: 'days raw samples are kept (0: forever)',
  }),
  retention1mDays: field({
    kind: 'int',
    flag: 'retention-1m-days',
    env: ['BALLAST_RETENTION_1M_DAYS'],
    default: 90,
    min: 0,
    max: 36_500,
    help: 'days per-minute rollups are kept (0: forever)',
  }),
  retention1hDays: field({
    kind: 'int',
    flag: 'retention-1h-days',
    env: ['BALLAST_RETENTION_1H_DAYS'],
    default: 730,
    min: 0,
    max: 36_500,
    help: 'days hourly rollups are kept (0: forever)',
  }),
  retentionEventsDays: field({
    kind: 'int',
    flag: 'retention-events-days',
    env: ['BALLAST_RETENTION_EVENTS_DAYS'],
    default: 365,
    min: 0,
    max: 36_500,
    help: 'days node events are kept (0: forever)',
  }),
  retentionLogsDays: field({
    kind: 'int',
    flag: 'retention-logs-days',
    env: ['BALLAST_RETENTION_LOGS_DAYS'],
    default: 30,
    min: 0,
    max: 36_500,
    help: 'days node log lines are kept (0: forever)',
  }),
  retentionLedgerDays: field({
    kind: 'int',
    flag: 'retention-ledger-days',
    env: ['BALLAST_RETENTION_LEDGER_DAYS'],
    default: 30,
    min: 0,
    max: 36_500,
    help: 'days the ingest ledger remembers stored agent batches (dedup window; 0: forever)',
  }),
  ...METADATA_CONFIG,
  cloud: field({
    kind: 'enum',
    flag: 'cloud',
    env: ['BALLAST_CLOUD'],
    default: 'off',
    values: ['off', 'aws'] as const,
    help: 'cloud provider the catalog and actions use: off (metrics only) or aws (EC2; --aws-endpoint points it at the simulator)',
  }),
  awsRegion: field({
    kind: 'string',
    flag: 'aws-region',
    env: ['BALLAST_AWS_REGION', 'AWS_REGION'],
    default: 'us-east-1',
    help: 'EC2 region',
  }),
  awsEndpoint: field({
    kind: 'string',
    flag: 'aws-endpoint',
    env: ['BALLAST_AWS_ENDPOINT'],
    default: '',
    check: (v: string) => (v === '' || isHttpUrl(v) ? null : `"${v}" is not an http(s) URL`),
    help: "EC2 endpoint URL override (the simulator, a VPC endpoint); empty: the region's public endpoint",
  }),
  onDemandPricesFile: field({
    kind: 'string',
    flag: 'on-demand-prices-file',
    env: ['BALLAST_ON_DEMAND_PRICES_FILE'],
    default: '',
    help: 'CSV of on-demand prices per instance type (columns instance_type and on_demand_usd_per_hour); needed with --cloud aws, since EC2 has no price API',
  }),
  spotAdvisorFile: field({
    kind: 'string',
    flag: 'spot-advisor-file',
    env: ['BALLAST_SPOT_ADVISOR_FILE'],
    default: '',
    help: "Spot Advisor CSV (interruption bucket per type): the prior of each pool's interruption risk; empty: a neutral prior",
  }),
  approvalRequiredFor: field({
    kind: 'string',
    flag: 'approval-required-for',
    env: ['BALLAST_APPROVAL_REQUIRED_FOR'],
    default: '',
    check: (v: string) => checked(() => parseApprovalPolicy(v)),
    help: 'actions that wait for a second person, comma-separated (storage.delete, governance.terminate)',
  }),
  storagePrices: field({
    kind: 'string',
    flag: 'storage-prices',
    env: ['BALLAST_STORAGE_PRICES'],
    default: '',
    check: (v: string) => checked(() => parseStoragePrices(v)),
    help: 'USD per GiB-month for the cleanup estimates, JSON: {"volumeGibMonth":{"gp3":0.08},"snapshotGibMonth":0.05}; empty: us-east-1 list prices',
  }),
  catalogRefreshMinutes: field({
    kind: 'int',
    flag: 'catalog-refresh-minutes',
    env: ['BALLAST_CATALOG_REFRESH_MINUTES'],
    default: 5,
    min: 1,
    max: 1440,
    help: 'how often spot prices are re-read from EC2',
  }),
  ...ACCESS_CONFIG,
  ...CLUSTER_CONFIG,
  ...NATS_TLS_CONFIG,
};

export type HubConfig = ConfigOf<typeof HUB_CONFIG>;

/** A parser's complaint as a field check's message (the loader adds the field's name). */
function checked(parse: () => unknown): string | null {
  try {
    parse();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function isHttpUrl(v: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}
