/**
 * Versioned schema migrations for the metrics store. A migration is never edited once
 * released; a change is a new entry. Applied versions are recorded in `schema_migrations`.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'series, samples, ingest batches, agents, events',
    statements: [
      // ReplacingMergeTree: the same series announced by every reconnecting agent collapses to one row.
      `CREATE TABLE IF NOT EXISTS series (
        series_id UInt64,
        tenant LowCardinality(String),
        cluster LowCardinality(String),
        node String,
        metric LowCardinality(String),
        labels Map(LowCardinality(String), String),
        kind LowCardinality(String),
        unit LowCardinality(String),
        created_at DateTime64(3) DEFAULT now64(3)
      ) ENGINE = ReplacingMergeTree
      ORDER BY (tenant, metric, series_id)`,
      // Keyed by (series, ts) with ReplacingMergeTree so that a batch re-sent after a hub crash
      // between storing its points and recording its sequence collapses on merge.
      // Codecs: time is near-regular per series (DoubleDelta), values change slowly (Gorilla).
      `CREATE TABLE IF NOT EXISTS samples (
        tenant LowCardinality(String),
        cluster LowCardinality(String),
        series_id UInt64 CODEC(Delta, ZSTD(1)),
        ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
        value Float64 CODEC(Gorilla, ZSTD(1))
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toDate(ts)
      ORDER BY (tenant, series_id, ts)`,
      // One row per agent batch: the ledger that makes delivery exactly-once per (agent, epoch, sequence).
      `CREATE TABLE IF NOT EXISTS ingest_batches (
        tenant LowCardinality(String),
        cluster LowCardinality(String),
        node String,
        epoch UInt64,
        seq UInt64,
        points UInt32,
        status LowCardinality(String),
        stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
      ) ENGINE = MergeTree
      ORDER BY (tenant, cluster, node, epoch, seq)`,
      `CREATE TABLE IF NOT EXISTS agents (
        tenant LowCardinality(String),
        cluster LowCardinality(String),
        node String,
        instance_id String,
        instance_type LowCardinality(String),
        availability_zone LowCardinality(String),
        lifecycle LowCardinality(String),
        agent_version LowCardinality(String),
        connected UInt8,
        last_seen DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(last_seen)
      ORDER BY (tenant, cluster, node)`,
      `CREATE TABLE IF NOT EXISTS events (
        tenant LowCardinality(String),
        cluster LowCardinality(String),
        node String,
        id String,
        kind LowCardinality(String),
        time DateTime64(3, 'UTC'),
        deadline Nullable(DateTime64(3, 'UTC')),
        message String,
        attributes Map(String, String)
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(time)
      ORDER BY (tenant, cluster, time, id)`,
    ],
  },
];
