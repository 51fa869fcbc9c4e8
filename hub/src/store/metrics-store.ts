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

/**
 * Per-step aggregations. `p50`/`p95`/`p99` are exact and read raw samples only (rollups keep
 * no distribution). `rate` is for counters: the per-second increase in the step, where a decrease
 * means the counter restarted from zero (as in Prometheus).
 */
export type Aggregation = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'p50' | 'p95' | 'p99' | 'last' | 'rate';

/** Which table a range query reads: raw samples, or the per-minute, per-5-minute or per-hour rollups. */
export type Resolution = 'raw' | '1m' | '5m' | '1h';

export const RESOLUTION_SECONDS: Record<Resolution, number> = { raw: 0, '1m': 60, '5m': 300, '1h': 3600 };

export interface RangeQuery {
  /**
   * When given, only this tenant's rows are read. Series ids already belong to one tenant;
   * the tenant lets the table's primary key (tenant first) prune.
   */
  tenant?: string;
  seriesIds: bigint[];
  startMs: number;
  endMs: number;
  stepSeconds: number;
  aggregation: Aggregation;
  /**
   * Default `raw`. A rollup needs `stepSeconds` to be a multiple of its bucket and covers whole
   * buckets: the one holding `startMs` is read in full.
   */
  resolution?: Resolution;
  /**
   * Also return each answer's points as JSON text ({@link RangeSeries.pointsJson}), for an API
   * that answers JSON: the store formats the numbers faster than JS does. `t` and `values` stay
   * exact but may then be built from the text when first read (a cost a JSON answer never pays).
   */
  pointsJson?: boolean;
}

/**
 * Aggregates across series: per step, each group's samples are pooled and aggregated together
 * (the average of a group is the average of all its samples). `rate` is computed per series
 * and the rates of a group summed.
 */
export interface GroupedRangeQuery extends Omit<RangeQuery, 'seriesIds'> {
  /** The series ids of each group; groups must not share a series. */
  groups: bigint[][];
}

/**
 * One series' answer to a range query, columnar: `t[i]` is the start of a step bucket (unix
 * seconds) and `values[i]` the aggregate of that step. Both have the same length, at least 1;
 * times ascend and a step with no samples is left out (never NaN-filled). A value is NaN when
 * the step's aggregate is not a number (samples stored as NaN), and may be ±Infinity.
 * Columnar so that a week of 100 series is not 200,000 objects (the store decodes typed arrays).
 */
export interface RangeSeries {
  seriesId: bigint;
  t: ArrayLike<number>;
  values: ArrayLike<number>;
  /** With {@link RangeQuery.pointsJson}: UTF-8 of `[t,v],[t,v],…` — the points, exactly as JSON.stringify writes `[t[i], values[i]]` pairs. */
  pointsJson?: Uint8Array;
}

/** {@link RangeSeries} of one group of a {@link GroupedRangeQuery}. */
export interface GroupedRangeSeries {
  /** Index into `GroupedRangeQuery.groups`. */
  group: number;
  t: ArrayLike<number>;
  values: ArrayLike<number>;
  /** As {@link RangeSeries.pointsJson}. */
  pointsJson?: Uint8Array;
}

/** A tenant's metric names, label names or label values; `metric` narrows to one metric. */
export interface CatalogQuery {
  tenant: string;
  metric?: string;
  limit: number;
}

/** One agent epoch's sequence space, the scope of a {@link SequenceProgress}. */
export interface AgentEpochKey {
  tenant: string;
  cluster: string;
  node: string;
  epoch: bigint;
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
  /**
   * {@link sequenceProgress} of many agent epochs in one round trip; one result per key, in
   * the order given (an epoch never seen gives contiguous 0). For connect storms.
   */
  sequenceProgressMany(keys: AgentEpochKey[]): Promise<SequenceProgress[]>;
  upsertAgents(agents: AgentRecord[]): Promise<void>;
  listAgents(tenant: string | null): Promise<AgentRecord[]>;
  insertEvents(events: EventRecord[]): Promise<void>;
  /**
   * Series of a metric matching every matcher, ordered by id, at most `limit`. Regex matchers
   * are anchored RE2 patterns; one ClickHouse cannot compile is rejected with an
   * {@link InvalidQueryError} (`hub/src/store/query-error.ts`) naming it.
   */
  findSeries(selector: SeriesSelector): Promise<SeriesRecord[]>;
  /**
   * One entry per series that has a point in the range, ordered by series id; a series without
   * points (or unknown, or another tenant's) has no entry. See {@link RangeSeries}.
   */
  queryRange(query: RangeQuery): Promise<RangeSeries[]>;
  /** One entry per group that has a point in the range, ordered by group index; an empty group has no entry. */
  queryGroupedRange(query: GroupedRangeQuery): Promise<GroupedRangeSeries[]>;
  /** Resolutions whose tables exist, finest first; always starts with `raw`. */
  resolutions(): Promise<Resolution[]>;
  /** Distinct metric names starting with `prefix`, sorted, at most `limit`. */
  metricNames(query: CatalogQuery & { prefix: string }): Promise<string[]>;
  /** Distinct label names, `node` and `cluster` included, sorted, at most `limit`. */
  labelNames(query: CatalogQuery): Promise<string[]>;
  /** Distinct non-empty values of one label, sorted, at most `limit`. */
  labelValues(query: CatalogQuery & { label: string }): Promise<string[]>;
  ping(): Promise<void>;
  /**
   * Size of every store table, from its active parts (on a cluster: one replica of every
   * shard). Reads part metadata plus the rollups' `count` column (a scan of one small
   * column), so it is cheap but not free: meant for operators, not for polling.
   */
  storageUsage(): Promise<StorageUsage>;
  /**
   * `OPTIMIZE TABLE … FINAL` on every table: merges each partition into one part, which
   * collapses duplicate samples and partial rollup rows. Expensive (rewrites all stored
   * data); for benchmarks and tests, never for a running hub.
   */
  optimize(): Promise<void>;
}

export interface TableStorage {
  /** The name queries use (the Distributed table on a cluster). */
  table: string;
  /** Rows in active parts; duplicates and partial rollup rows count until merged. */
  rows: number;
  parts: number;
  /** Compressed, on disk, index and marks included. */
  bytesOnDisk: number;
  bytesUncompressed: number;
  /** bytesOnDisk / rows; 0 when empty. */
  bytesPerRow: number;
  /** Raw points the rows stand for: rows for samples, sum(count) for rollups, null for tables of other records. */
  points: number | null;
  /** bytesOnDisk / points; null when points is null, 0 when there are none. */
  bytesPerPoint: number | null;
}

export interface StorageUsage {
  tables: TableStorage[];
  totalBytesOnDisk: number;
}
