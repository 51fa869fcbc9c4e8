import { hostname } from 'node:os';
import { type ConfigOf, field } from '@ballast/common';

export const AGENT_CONFIG = {
  hubAddress: field({ kind: 'string', flag: 'hub-address', env: ['BALLAST_HUB_ADDRESS'], default: '127.0.0.1:9400', check: (v: string) => (/^[^\s:]+:\d{1,5}$/.test(v) ? null : `"${v}" is not host:port`), help: 'host:port of the hub gRPC listener' }),
  tenant: field({ kind: 'string', flag: 'tenant', env: ['BALLAST_TENANT'], default: '', help: 'tenant (empty: the hub default)' }),
  cluster: field({ kind: 'string', flag: 'cluster', env: ['BALLAST_CLUSTER'], default: 'local', check: nonEmpty, help: 'cluster name' }),
  node: field({ kind: 'string', flag: 'node', env: ['NODE_NAME', 'BALLAST_NODE'], default: hostname(), check: nonEmpty, help: 'Kubernetes node name (downward API)' }),
  instanceId: field({ kind: 'string', flag: 'instance-id', env: ['BALLAST_INSTANCE_ID'], default: '', help: 'EC2 instance id (from IMDS when empty, later)' }),
  instanceType: field({ kind: 'string', flag: 'instance-type', env: ['BALLAST_INSTANCE_TYPE'], default: '', help: 'EC2 instance type' }),
  availabilityZone: field({ kind: 'string', flag: 'availability-zone', env: ['BALLAST_AVAILABILITY_ZONE'], default: '', help: 'availability zone' }),
  lifecycle: field({ kind: 'enum', flag: 'lifecycle', env: ['BALLAST_LIFECYCLE'], default: 'unspecified', values: ['unspecified', 'spot', 'on-demand'] as const, help: 'instance lifecycle' }),
  collectIntervalMs: field({ kind: 'int', flag: 'collect-interval-ms', env: ['BALLAST_COLLECT_INTERVAL_MS'], default: 10_000, min: 100, max: 3_600_000, help: 'collection interval' }),
  bufferMaxPoints: field({ kind: 'int', flag: 'buffer-max-points', env: ['BALLAST_BUFFER_MAX_POINTS'], default: 2_000_000, min: 1_000, max: 100_000_000, help: 'un-acked points kept before the oldest are dropped (counted)' }),
  maxSeries: field({ kind: 'int', flag: 'max-series', env: ['BALLAST_MAX_SERIES'], default: 50_000, min: 1, max: 1_000_000, help: 'distinct series this agent will send' }),
  statusHost: field({ kind: 'string', flag: 'status-host', env: ['BALLAST_STATUS_HOST'], default: '127.0.0.1', help: 'address of /healthz and /metrics' }),
  statusPort: field({ kind: 'int', flag: 'status-port', env: ['BALLAST_STATUS_PORT'], default: 9465, min: 0, max: 65535, help: 'port of /healthz and /metrics (0: any free port)' }),
  reconnectMinMs: field({ kind: 'int', flag: 'reconnect-min-ms', env: ['BALLAST_RECONNECT_MIN_MS'], default: 250, min: 10, max: 60_000, help: 'first reconnect backoff' }),
  reconnectMaxMs: field({ kind: 'int', flag: 'reconnect-max-ms', env: ['BALLAST_RECONNECT_MAX_MS'], default: 15_000, min: 10, max: 600_000, help: 'largest reconnect backoff' }),
  shutdownFlushMs: field({ kind: 'int', flag: 'shutdown-flush-ms', env: ['BALLAST_SHUTDOWN_FLUSH_MS'], default: 5_000, min: 0, max: 120_000, help: 'how long shutdown waits for the hub to ack what is buffered' }),
  procNetDev: field({ kind: 'string', flag: 'proc-net-dev', env: ['BALLAST_PROC_NET_DEV'], default: '/proc/net/dev', help: 'path of /proc/net/dev' }),
  logLevel: field({ kind: 'enum', flag: 'log-level', env: ['BALLAST_LOG_LEVEL'], default: 'info', values: ['info', 'warn', 'error', 'silent'] as const, help: 'log level' }),
};

export type AgentConfig = ConfigOf<typeof AGENT_CONFIG>;

function nonEmpty(v: string): string | null {
  return v.trim() === '' ? 'must not be empty' : null;
}
