/**
 * MetricsStore is the hub's port to time-series storage. One implementation exists
 * (ClickHouse through @clickhouse/client); the connection decides whether that is the
 * embedded chDB engine or a ClickHouse server.
 *
 * Every row carries tenant and cluster so that tenant isolation needs no schema change.
 */

export interface SeriesRecord {
  /** Global id: a 64-bit hash of tenant, cluster, node, metric and labels, as a decimal string. */
  id: bigint;
  tenant: string;
  cluster: string;
  node: string;
  metric: string;
  labels: Record<string, string>;
  kind: 'gauge' | 'counter' | 'unspecified';
  unit: string;
}

/** Columnar block of points. series ids are split into 32-bit halves so no BigInt is made per point. */
export interface SampleBlock {
  length: number;
  seriesLo: Uint32Array;
  seriesHi: Uint32Array;
  timestampsMs: Float64Array;
  values: Float64Array;
}

/** Points of one tenant and cluster. */
export interface SamplePart {
  tenant: string;
  cluster: string;
  block: SampleBlock;
}

export interface BatchRecord {
  tenant: string;
  cluster: string;
  node: string;
  epoch: bigint;
  sequence: bigint;
  points: number;
  status: 'stored' | 'rejected';
}

export interface AgentRecord {
  tenant: string;
  cluster: string;
  node: string;
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  lifecycle: string;
  agentVersion: string;
  connected: boolean;
  lastSeenMs: number;
}

export interface EventRecord {
  tenant: string;
  cluster: string;
  node: string;
  id: string;
  kind: string;
  timeMs: number;
  deadlineMs: number;
  message: string;
  attributes: Record<string, string>;
}

/** Where the hub stands in one agent's sequence space. */
export interface SequenceProgress {
  /** Every sequence <= this one is stored or rejected. */
  contiguous: bigint;
  /** Stored sequences above `contiguous`. */
  above: bigint[];
}

export interface SeriesSelector {
  tenant: string;
  metric: string;
  matchers: LabelMatcher[];
  limit: number;
}

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface RangeQuery {
  seriesIds: bigint[];
  startMs: number;
  endMs: number;
  stepSeconds: number;
  aggregation: 'avg' | 'min' | 'max' | 'sum' | 'last';
}

export interface RangeRow {
  seriesId: bigint;
  /** Start of the step bucket, unix seconds. */
  t: number;
  value: number;
}

export interface MetricsStore {
  /** Creates or migrates the schema. Must be called before anything else. */
  start(): Promise<void>;
  /** Flushes and closes the connection. Safe to call before start and twice. */
  shutdown(): Promise<void>;
  /** Idempotent: the same series inserted twice is stored once. */
  insertSeries(series: SeriesRecord[]): Promise<void>;
  /**
   * Stores points and then records the batches they came from. Resolves only when both
   * are durable; on rejection nothing is reported stored and the caller must not ack.
   * A retry of the same points is harmless: samples are keyed by (series, ts).
   */
  insertSamples(parts: SamplePart[], batches: BatchRecord[]): Promise<void>;
  recordBatches(batches: BatchRecord[]): Promise<void>;
  sequenceProgress(tenant: string, cluster: string, node: string, epoch: bigint): Promise<SequenceProgress>;
  upsertAgents(agents: AgentRecord[]): Promise<void>;
  listAgents(tenant: string | null): Promise<AgentRecord[]>;
  insertEvents(events: EventRecord[]): Promise<void>;
  findSeries(selector: SeriesSelector): Promise<SeriesRecord[]>;
  queryRange(query: RangeQuery): Promise<RangeRow[]>;
  ping(): Promise<void>;
}
