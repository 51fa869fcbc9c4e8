/**
 * Versioned schema migrations for the metrics store. A migration is never edited once
 * released; a change is a new entry. Applied versions are recorded in `schema_migrations`.
 * Statements are layout-neutral specs rendered by ddl.ts for a single node or a cluster;
 * ddl.test.ts pins the single-node rendering of migration 1 to its released SQL.
 * Retention (TTL) is configuration, applied on start by retention.ts, not a migration.
 */
import type { ColumnSpec, SchemaStatement, TableSpec } from './ddl.ts';

export interface Migration {
  version: number;
  name: string;
  statements: SchemaStatement[];
}

const c = (name: string, type: string, codec?: string, def?: string): ColumnSpec => ({
  name,
  type,
  ...(codec ? { codec } : {}),
  ...(def ? { default: def } : {}),
});
const table = (t: TableSpec): SchemaStatement => ({ kind: 'table', table: t });

/** Created by start() before any migration runs; on a cluster every node holds all of it. */
export const MIGRATIONS_TABLE: TableSpec = {
  name: 'schema_migrations',
  columns: [c('version', 'UInt32'), c('name', 'String'), c('applied_at', "DateTime64(3, 'UTC')", undefined, 'now64(3)')],
  engine: 'MergeTree',
  orderBy: 'version',
  shardBy: null,
};

/** Tenant and cluster lead every table: one node collapses to few distinct values. */
const OWNER = [c('tenant', 'LowCardinality(String)'), c('cluster', 'LowCardinality(String)')];
/** Agent-scoped tables shard by node, so one agent's rows (and its FINAL) stay on one shard. */
const BY_NODE = 'cityHash64(tenant, cluster, node)';
/** Series-scoped tables shard by series, so a series and its rollups live on one shard. */
const BY_SERIES = 'cityHash64(series_id)';

const V1: Migration = {
  version: 1,
  name: 'series, samples, ingest batches, agents, events',
  statements: [
    // ReplacingMergeTree: the same series announced by every reconnecting agent collapses to one row.
    table({
      name: 'series',
      columns: [
        c('series_id', 'UInt64'),
        ...OWNER,
        c('node', 'String'),
        c('metric', 'LowCardinality(String)'),
        c('labels', 'Map(LowCardinality(String), String)'),
        c('kind', 'LowCardinality(String)'),
        c('unit', 'LowCardinality(String)'),
        c('created_at', 'DateTime64(3)', undefined, 'now64(3)'),
      ],
      engine: 'ReplacingMergeTree',
      orderBy: '(tenant, metric, series_id)',
      shardBy: BY_SERIES,
    }),
    // Keyed by (series, ts) with ReplacingMergeTree so that a batch re-sent after a hub crash
    // between storing its points and recording its sequence collapses on merge.
    // Codecs (released): DoubleDelta on time, Gorilla on values; migration 2 retunes them.
    table({
      name: 'samples',
      columns: [
        ...OWNER,
        c('series_id', 'UInt64', 'Delta, ZSTD(1)'),
        c('ts', "DateTime64(3, 'UTC')", 'DoubleDelta, ZSTD(1)'),
        c('value', 'Float64', 'Gorilla, ZSTD(1)'),
      ],
      engine: 'ReplacingMergeTree',
      partitionBy: 'toDate(ts)',
      orderBy: '(tenant, series_id, ts)',
      shardBy: BY_SERIES,
    }),
    // One row per agent batch: the ledger that makes delivery exactly-once per (agent, epoch, sequence).
    table({
      name: 'ingest_batches',
      columns: [
        ...OWNER,
        c('node', 'String'),
        c('epoch', 'UInt64'),
        c('seq', 'UInt64'),
        c('points', 'UInt32'),
        c('status', 'LowCardinality(String)'),
        c('stored_at', "DateTime64(3, 'UTC')", undefined, 'now64(3)'),
      ],
      engine: 'MergeTree',
      orderBy: '(tenant, cluster, node, epoch, seq)',
      shardBy: BY_NODE,
    }),
    table({
      name: 'agents',
      columns: [
        ...OWNER,
        c('node', 'String'),
        c('instance_id', 'String'),
        c('instance_type', 'LowCardinality(String)'),
        c('availability_zone', 'LowCardinality(String)'),
        c('lifecycle', 'LowCardinality(String)'),
        c('agent_version', 'LowCardinality(String)'),
        c('connected', 'UInt8'),
        c('last_seen', "DateTime64(3, 'UTC')"),
      ],
      engine: 'ReplacingMergeTree',
      engineArgs: 'last_seen',
      orderBy: '(tenant, cluster, node)',
      shardBy: BY_NODE,
    }),
    table({
      name: 'events',
      columns: [
        ...OWNER,
        c('node', 'String'),
        c('id', 'String'),
        c('kind', 'LowCardinality(String)'),
        c('time', "DateTime64(3, 'UTC')"),
        c('deadline', "Nullable(DateTime64(3, 'UTC'))"),
        c('message', 'String'),
        c('attributes', 'Map(String, String)'),
      ],
      engine: 'MergeTree',
      partitionBy: 'toYYYYMM(time)',
      orderBy: '(tenant, cluster, time, id)',
      shardBy: BY_NODE,
    }),
  ],
};

/**
 * Rollups. Both are AggregatingMergeTree: every insert adds partial rows and merges combine
 * them, so readers always aggregate: `min(min)`, `max(max)`, `sum(sum)`, `sum(count)`,
 * `argMaxMerge(last)`, grouped by bucket (the t-digest column went in migration 3).
 *
 * Caveat: samples is a ReplacingMergeTree, so a batch stored again after a crash window
 * (points stored, sequence not yet recorded) collapses there; the views see every insert,
 * so the re-stored batch is counted twice in the rollups (count, sum and the digest's
 * weights; min, max and last are unaffected).
 *
 * Keys: `ORDER BY (tenant, series_id, ts, cluster)` with `PRIMARY KEY (tenant, series_id, ts)`.
 * ClickHouse 26 refuses an AggregatingMergeTree column outside the sorting key that is not
 * an aggregate; cluster is a function of series_id (the id hashes it), so adding it last
 * changes neither the collapsing nor the index, and works on every server version (the
 * alternative, a table setting, does not exist on older servers).
 *
 * Partitions: TTL drops whole parts (`ttl_only_drop_parts = 1`) instead of rewriting parts
 * to cut out expired rows every few hours; data then outlives its retention by at most
 * one partition. Weekly partitions for 1m (~14 live at 90 days, at most 7 days extra) and
 * monthly for 1h (~25 at 730 days, at most a month extra, ~4%) keep that small while
 * keeping partitions few and large (a monthly 1m partition would keep up to 31 extra days
 * of the largest rollup; a yearly 1h one up to a year).
 *
 * Codecs, measured on one day of node metrics (10 nodes x 63 series at 10 s, 5.44 M points:
 * wandering CPU shares as full doubles, integer memory and filesystem bytes, two-decimal
 * load and PSI averages, network and PSI counters, 0-15 ms timer jitter), compressed bytes
 * per point after OPTIMIZE FINAL, per column (hub/test/store-codecs.test.ts measures again
 * with BALLAST_MEASURE_CODECS=1):
 *
 *   raw samples           chosen                 alternatives
 *   ts                    Delta,ZSTD(1)   0.64   DoubleDelta,ZSTD(1) 1.01 (released), DoubleDelta 1.10, ZSTD(1) 2.32
 *   value (all)           ZSTD(3)         2.20   Gorilla,ZSTD(1) 2.73 (released), Gorilla,ZSTD(3) 2.61, Gorilla 4.05,
 *                                                Delta,ZSTD(3) 2.19, ZSTD(1) 2.37, FPC,ZSTD(1) 2.53, DoubleDelta,ZSTD(1) 2.88
 *   value (gauges)        ZSTD(3)         2.10   Gorilla,ZSTD(1) 2.92, Delta,ZSTD(3) 2.27
 *   value (counters)      ZSTD(3)         2.31   Delta,ZSTD(3) 1.99, DoubleDelta,ZSTD(1) 2.26, Gorilla,ZSTD(1) 2.32
 *   series_id             Delta,ZSTD(1)   0.01   (unchanged; ZSTD(1) 0.01)
 *   whole table (bytes_on_disk / points, index and marks included): 2.86; the released
 *   codecs' columns sum to 3.76.
 *
 *   rollup 1m, bytes/row  chosen                 alternatives
 *   min, max              Delta,ZSTD(1)   1.94, 2.71  (min: ZSTD(3) 2.09, Gorilla,ZSTD(1) 2.22, LZ4 2.98)
 *   sum                   Delta,ZSTD(1)   3.17   ZSTD(1) 3.46, Gorilla,ZSTD(1) 4.32
 *   count                 T64,ZSTD(1)     0.01   ZSTD(1) 0.26, LZ4 0.04
 *   ts                    Delta,ZSTD(1)   0.01   DoubleDelta,ZSTD(1) 0.01, LZ4 0.37
 *   last (argMax state)   ZSTD(3)         6.73   ZSTD(1) 6.75, LZ4 10.06
 *   digest (t-digest)     ZSTD(3)        10.20   ZSTD(1) 10.57, LZ4 17.49
 *   whole table: 24.8 B/row = 4.14 B per raw point.
 *   rollup 1h: 368 B/row = 1.02 B per raw point, of which the digest 351 (ZSTD(1) +8%, LZ4 +86%).
 *   Over the default retentions one series takes: raw 15 d 0.37 MB, 1m 90 d 3.2 MB,
 *   1h 730 d 6.4 MB: the t-digest and argMax states, not the raw points, dominate storage.
 *
 * Views: both read samples. Fed from samples_1m (merging states), the 1h view gave the same
 * p95 error (0.33% of the hour's range on average) and size; its insert cost was within the
 * noise of this 2-core machine for 190k-point inserts (2.3-5.2 vs 3.1-6.9 s per million
 * points) and worse for 19k-point ones (16.3 vs 10.8). Without views: 2.2-2.9 s per million.
 * Reading samples also keeps each view independent of the other.
 */
const ROLLUP_COLUMNS: ColumnSpec[] = [
  ...OWNER,
  c('series_id', 'UInt64', 'Delta, ZSTD(1)'),
  c('ts', "DateTime('UTC')", 'Delta, ZSTD(1)'),
  c('min', 'SimpleAggregateFunction(min, Float64)', 'Delta, ZSTD(1)'),
  c('max', 'SimpleAggregateFunction(max, Float64)', 'Delta, ZSTD(1)'),
  c('sum', 'SimpleAggregateFunction(sum, Float64)', 'Delta, ZSTD(1)'),
  c('count', 'SimpleAggregateFunction(sum, UInt64)', 'T64, ZSTD(1)'),
  c('last', 'AggregateFunction(argMax, Float64, DateTime64(3))', 'ZSTD(3)'),
  c('digest', 'AggregateFunction(quantileTDigest, Float64)', 'ZSTD(3)'),
];

const rollup = (name: string, partitionBy: string): SchemaStatement =>
  table({
    name,
    columns: ROLLUP_COLUMNS,
    engine: 'AggregatingMergeTree',
    partitionBy,
    primaryKey: '(tenant, series_id, ts)',
    orderBy: '(tenant, series_id, ts, cluster)',
    settings: 'ttl_only_drop_parts = 1',
    shardBy: BY_SERIES,
  });

/**
 * The view that feeds a rollup from samples. Source columns are qualified: the bucket is
 * aliased `ts` to match the target column. `digest` only for migration 2 as released.
 */
function rollupView(target: string, bucket: string, o: { digest: boolean }): SchemaStatement {
  const digest = o.digest ? ', quantileTDigestState(src.value) AS digest' : '';
  return {
    kind: 'view',
    view: {
      name: `${target}_mv`,
      to: target,
      from: 'samples',
      select: (from) => `SELECT tenant, cluster, series_id, ${bucket}(src.ts) AS ts,
  min(src.value) AS min, max(src.value) AS max, sum(src.value) AS sum, count() AS count,
  argMaxState(src.value, src.ts) AS last${digest}
FROM ${from} AS src
GROUP BY tenant, cluster, series_id, ${bucket}(src.ts)`,
    },
  };
}

const V2: Migration = {
  version: 2,
  name: 'rollups (1m, 1h), logs, retuned sample codecs, whole-part TTL drops',
  statements: [
    // Metadata only: new parts use the new codecs, old parts are recompressed as they merge.
    {
      kind: 'alter',
      table: 'samples',
      clauses: 'MODIFY COLUMN ts CODEC(Delta, ZSTD(1)), MODIFY COLUMN value CODEC(ZSTD(3)), MODIFY SETTING ttl_only_drop_parts = 1',
    },
    { kind: 'alter', table: 'events', clauses: 'MODIFY SETTING ttl_only_drop_parts = 1' },
    rollup('samples_1m', 'toMonday(ts)'),
    rollup('samples_1h', 'toYYYYMM(ts)'),
    rollupView('samples_1m', 'toStartOfMinute', { digest: true }),
    rollupView('samples_1h', 'toStartOfHour', { digest: true }),
    table({
      name: 'logs',
      columns: [
        ...OWNER,
        c('node', 'String'),
        c('time', "DateTime64(3, 'UTC')", 'Delta, ZSTD(1)'),
        c('level', 'LowCardinality(String)'),
        c('component', 'LowCardinality(String)'),
        c('message', 'String', 'ZSTD(3)'),
        c('attributes', 'Map(LowCardinality(String), String)', 'ZSTD(3)'),
      ],
      engine: 'MergeTree',
      partitionBy: 'toDate(time)',
      orderBy: '(tenant, cluster, node, time)',
      settings: 'ttl_only_drop_parts = 1',
      shardBy: BY_NODE,
    }),
  ],
};

/**
 * Migration 3: the rollups lose their t-digest. Measured on this 2-core machine (10 M points
 * inserted as 400k-point blocks of 200 series x 10 steps into chDB, views in place): samples
 * alone 1.61 M points/s; with both views without digests 0.85 M; with digests 0.42 M. The
 * digest halved ingest and was 351 of the 368 bytes of a 1h row. Percentiles are computed
 * from raw samples instead (exact), see resolution.ts.
 */
const V3: Migration = {
  version: 3,
  name: 'rollups without t-digest states',
  statements: [
    // The views name the column, so they go first and come back without it.
    { kind: 'drop-view', name: 'samples_1m_mv' },
    { kind: 'drop-view', name: 'samples_1h_mv' },
    { kind: 'alter', table: 'samples_1m', clauses: 'DROP COLUMN IF EXISTS digest', twin: true },
    { kind: 'alter', table: 'samples_1h', clauses: 'DROP COLUMN IF EXISTS digest', twin: true },
    rollupView('samples_1m', 'toStartOfMinute', { digest: false }),
    rollupView('samples_1h', 'toStartOfHour', { digest: false }),
  ],
};
/**
 * Migration 4: a 5-minute rollup, and cheaper views.
 *
 * `samples_5m` serves ranges whose step is a whole number of 5 minutes (resolution.ts): a
 * week of one series is 2,016 rows instead of 10,080 in samples_1m. It is kept as long as
 * samples_1m (retention.ts) and filled from samples_1m's existing rows when created.
 *
 * The views now cascade: samples → 1m → 5m → 1h. A view on a rollup merges that rollup's
 * freshly inserted partial rows (about a quarter as many as the raw points of a bench insert
 * for 1m, fewer again for 5m), so the 5m level costs less than another scan of the raw points
 * and the 1h view, fed 5m rows instead of raw points, costs less than before.
 *
 * Grouping key: `(series_id, bucket, toUInt32(cityHash64(tenant, cluster)))` with tenant and
 * cluster taken by `any`. Grouping by the two LowCardinality(String) columns themselves made
 * ClickHouse hash serialized keys; 8 + 4 + 4 bytes of fixed-width key use its 128-bit key
 * hash table instead. Two rows merge only if their series ids AND owner hashes are equal:
 * series ids are already 64-bit hashes of tenant, cluster and labels (within one owner a
 * collision merges two series in `samples` itself), so across owners the extra risk is a
 * further 32 bits smaller than a risk the store already takes.
 *
 * Measured (1M-point inserts shaped like bench:store's, 1,000 agents x 200 series x 10 steps;
 * CPU of the chDB insert per million points, variants interleaved in one process, medians of 8):
 *   views of migration 3 (both on samples, grouped by tenant, cluster)      1,094 ms
 *   same two views, hashed owner key                                          898 ms
 *   this migration: samples → 1m → 5m → 1h, hashed owner key               1,020 ms
 *   no views at all                                                           255 ms
 * The 1m view's GROUP BY alone over 1M points: 375 ms with the string keys, 217 ms hashed.
 */
function cascadeView(target: string, source: string, bucket: string): SchemaStatement {
  const fromSamples = source === 'samples';
  const merged = fromSamples
    ? 'min(src.value) AS min, max(src.value) AS max, sum(src.value) AS sum, count() AS count, argMaxState(src.value, src.ts) AS last'
    : 'min(src.min) AS min, max(src.max) AS max, sum(src.sum) AS sum, sum(src.count) AS count, argMaxMergeState(src.last) AS last';
  return {
    kind: 'view',
    view: {
      name: `${target}_mv`,
      to: target,
      from: source,
      select: (from) => `SELECT any(src.tenant) AS tenant, any(src.cluster) AS cluster, src.series_id AS series_id, ${bucket}(src.ts) AS ts,
  ${merged}
FROM ${from} AS src
GROUP BY src.series_id, ${bucket}(src.ts), toUInt32(cityHash64(src.tenant, src.cluster))`,
    },
  };
}

const V4: Migration = {
  version: 4,
  name: 'rollup 5m; views cascade samples → 1m → 5m → 1h with a fixed-width grouping key',
  statements: [
    { kind: 'drop-view', name: 'samples_1m_mv' },
    { kind: 'drop-view', name: 'samples_1h_mv' },
    rollup5m(),
    // A hub killed between this backfill and recording the migration runs it again on its next
    // start; summing the 1m rows into a table that already holds them would double sum and count.
    // No view writes to samples_5m yet at this point, and ingest starts only after migrations.
    { kind: 'truncate', table: 'samples_5m' },
    {
      kind: 'backfill',
      table: 'samples_5m',
      select: `SELECT tenant, cluster, series_id, toStartOfFiveMinutes(ts) AS bucket, min(min), max(max), sum(sum), sum(count), argMaxMergeState(last)
FROM samples_1m
GROUP BY tenant, cluster, series_id, bucket`,
    },
    cascadeView('samples_1m', 'samples', 'toStartOfMinute'),
    cascadeView('samples_5m', 'samples_1m', 'toStartOfFiveMinutes'),
    cascadeView('samples_1h', 'samples_5m', 'toStartOfHour'),
  ],
};

/** Like the other rollups (no digest column): weekly partitions as samples_1m, whose retention it shares. */
function rollup5m(): SchemaStatement {
  const statement = rollup('samples_5m', 'toMonday(ts)');
  if (statement.kind !== 'table') throw new Error('unreachable');
  return { kind: 'table', table: { ...statement.table, columns: ROLLUP_COLUMNS.filter((col) => col.name !== 'digest') } };
}

export const MIGRATIONS: Migration[] = [V1, V2, V3, V4];
