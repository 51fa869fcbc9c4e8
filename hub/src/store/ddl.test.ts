import { describe, expect, it } from 'vitest';
import { renderStatement, SINGLE_NODE, type StoreLayout, type TableSpec } from './ddl.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './schema.ts';

// The SQL migration 1 was released with, frozen: the single-node rendering must not change it.
const RELEASED_V1 = [
  `CREATE TABLE IF NOT EXISTS series ( series_id UInt64, tenant LowCardinality(String), cluster LowCardinality(String), node String,
   metric LowCardinality(String), labels Map(LowCardinality(String), String), kind LowCardinality(String), unit LowCardinality(String),
   created_at DateTime64(3) DEFAULT now64(3) ) ENGINE = ReplacingMergeTree ORDER BY (tenant, metric, series_id)`,
  `CREATE TABLE IF NOT EXISTS samples ( tenant LowCardinality(String), cluster LowCardinality(String), series_id UInt64 CODEC(Delta, ZSTD(1)),
   ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)), value Float64 CODEC(Gorilla, ZSTD(1)) ) ENGINE = ReplacingMergeTree
   PARTITION BY toDate(ts) ORDER BY (tenant, series_id, ts)`,
  `CREATE TABLE IF NOT EXISTS ingest_batches ( tenant LowCardinality(String), cluster LowCardinality(String), node String, epoch UInt64,
   seq UInt64, points UInt32, status LowCardinality(String), stored_at DateTime64(3, 'UTC') DEFAULT now64(3) ) ENGINE = MergeTree
   ORDER BY (tenant, cluster, node, epoch, seq)`,
  `CREATE TABLE IF NOT EXISTS agents ( tenant LowCardinality(String), cluster LowCardinality(String), node String, instance_id String,
   instance_type LowCardinality(String), availability_zone LowCardinality(String), lifecycle LowCardinality(String),
   agent_version LowCardinality(String), connected UInt8, last_seen DateTime64(3, 'UTC') ) ENGINE = ReplacingMergeTree(last_seen)
   ORDER BY (tenant, cluster, node)`,
  `CREATE TABLE IF NOT EXISTS events ( tenant LowCardinality(String), cluster LowCardinality(String), node String, id String,
   kind LowCardinality(String), time DateTime64(3, 'UTC'), deadline Nullable(DateTime64(3, 'UTC')), message String,
   attributes Map(String, String) ) ENGINE = MergeTree PARTITION BY toYYYYMM(time) ORDER BY (tenant, cluster, time, id)`,
];

const CLUSTER: StoreLayout = { cluster: 'fleet', database: 'ballast' };
const norm = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
const render = (layout: StoreLayout) => MIGRATIONS.flatMap((m) => m.statements.flatMap((s) => renderStatement(s, layout)));
const tables = (): TableSpec[] => MIGRATIONS.flatMap((m) => m.statements.flatMap((s) => (s.kind === 'table' ? [s.table] : [])));

/** `name Type` pairs of a rendered CREATE TABLE, codecs dropped (they only concern storage). */
function columnsOf(sql: string): string[] {
  const body = sql.slice(sql.indexOf('(\n') + 2, sql.indexOf('\n) ENGINE'));
  return body.split(',\n').map((line) => line.trim().replace(/ CODEC\(.*\)$/, ''));
}

describe('DDL generator: single node', () => {
  it('renders migration 1 exactly as released', () => {
    const v1 = MIGRATIONS.find((m) => m.version === 1);
    expect(v1?.statements.flatMap((s) => renderStatement(s, SINGLE_NODE)).map(norm)).toEqual(RELEASED_V1.map(norm));
  });

  it('has no cluster constructs', () => {
    for (const sql of render(SINGLE_NODE)) expect(sql).not.toMatch(/ON CLUSTER|Replicated|Distributed|_local/);
  });

  it('creates the rollups with the column names the query layer reads', () => {
    const sql = render(SINGLE_NODE).find((s) => s.includes('TABLE IF NOT EXISTS samples_1m '));
    expect(columnsOf(sql ?? '')).toEqual([
      'tenant LowCardinality(String)',
      'cluster LowCardinality(String)',
      'series_id UInt64',
      "ts DateTime('UTC')",
      'min SimpleAggregateFunction(min, Float64)',
      'max SimpleAggregateFunction(max, Float64)',
      'sum SimpleAggregateFunction(sum, Float64)',
      'count SimpleAggregateFunction(sum, UInt64)',
      'last AggregateFunction(argMax, Float64, DateTime64(3))',
      'digest AggregateFunction(quantileTDigest, Float64)',
    ]);
    // Migration 3 drops the digest again, views first (they name the column).
    const v3 = (MIGRATIONS.find((m) => m.version === 3)?.statements ?? []).flatMap((st) => renderStatement(st, SINGLE_NODE));
    expect(v3.slice(0, 4)).toEqual([
      'DROP VIEW IF EXISTS samples_1m_mv',
      'DROP VIEW IF EXISTS samples_1h_mv',
      'ALTER TABLE samples_1m DROP COLUMN IF EXISTS digest',
      'ALTER TABLE samples_1h DROP COLUMN IF EXISTS digest',
    ]);
    expect(v3.slice(4).every((s) => s.startsWith('CREATE MATERIALIZED VIEW') && !s.includes('quantile'))).toBe(true);
  });

  it('a column change reaches the Distributed twin on a cluster', () => {
    const v3 = (MIGRATIONS.find((m) => m.version === 3)?.statements ?? []).flatMap((st) => renderStatement(st, CLUSTER));
    expect(v3).toContain("ALTER TABLE samples_1m_local ON CLUSTER 'fleet' DROP COLUMN IF EXISTS digest");
    expect(v3).toContain("ALTER TABLE samples_1m ON CLUSTER 'fleet' DROP COLUMN IF EXISTS digest");
    expect(v3).toContain("DROP VIEW IF EXISTS samples_1h_mv ON CLUSTER 'fleet'");
  });
});

describe('DDL generator: cluster', () => {
  const all = render(CLUSTER);

  it.each(tables().map((t) => [t.name, t] as const))(
    '%s: a Replicated local table and a Distributed twin with the same columns',
    (name, t) => {
      const local = all.filter((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${name}_local ON CLUSTER 'fleet' (`));
      const twin = all.filter((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER 'fleet' (`));
      expect(local).toHaveLength(1);
      expect(twin).toHaveLength(1);
      const args = t.engineArgs ? `, ${t.engineArgs}` : '';
      expect(local[0]).toContain(
        `ENGINE = Replicated${t.engine}('/clickhouse/tables/{shard}/{database}/${name}_local', '{replica}'${args})`,
      );
      expect(twin[0]).toMatch(new RegExp(`ENGINE = Distributed\\('fleet', 'ballast', '${name}_local', cityHash64\\(.+\\)\\)$`));
      expect(columnsOf(twin[0] as string)).toEqual(columnsOf(local[0] as string));
      expect(twin[0]).not.toContain('CODEC');
      // Keys, partitions and settings are the single-node ones.
      const single = renderStatement({ kind: 'table', table: t }, SINGLE_NODE)[0] as string;
      expect(local[0]?.slice(local[0].indexOf('\n) ENGINE'))).toContain(single.slice(single.indexOf('\n', single.indexOf(') ENGINE'))));
      expect(columnsOf(local[0] as string)).toEqual(columnsOf(single));
    },
  );

  it('shards series, samples and the rollups by series, so FINAL and merges stay within a shard', () => {
    for (const name of ['series', 'samples', 'samples_1m', 'samples_1h']) {
      expect(all.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${name} ON`))).toContain(`'${name}_local', cityHash64(series_id))`);
    }
    for (const name of ['agents', 'ingest_batches', 'events', 'logs']) {
      expect(all.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${name} ON`))).toContain('cityHash64(tenant, cluster, node))');
    }
  });

  it('attaches the views to local tables and alters local tables, all ON CLUSTER', () => {
    const views = all.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.length).toBeGreaterThanOrEqual(2);
    for (const v of views) {
      expect(v).toMatch(/^CREATE MATERIALIZED VIEW IF NOT EXISTS \w+ ON CLUSTER 'fleet' TO \w+_local\n/);
      expect(v).toMatch(/FROM \w+_local AS src/);
    }
    // Only column changes also alter the Distributed twin, right after its local table.
    const alters = all.filter((s) => s.startsWith('ALTER'));
    for (const [i, a] of alters.entries()) {
      if (/^ALTER TABLE \w+_local ON CLUSTER 'fleet' /.test(a)) continue;
      expect(a).toMatch(/^ALTER TABLE \w+ ON CLUSTER 'fleet' (DROP|ADD) COLUMN /);
      expect(alters[i - 1]).toBe(a.replace(/^ALTER TABLE (\w+) /, 'ALTER TABLE $1_local '));
    }
    expect(all.every((s) => s.includes(" ON CLUSTER 'fleet'") || s.startsWith('INSERT INTO '))).toBe(true);
  });

  it('backfills through the Distributed tables (rows land on their shards), synchronously', () => {
    const inserts = all.filter((s) => s.startsWith('INSERT INTO '));
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toMatch(/^INSERT INTO samples_5m\nSELECT [\s\S]*\nFROM samples_1m\n[\s\S]*\nSETTINGS insert_distributed_sync = 1$/);
    const single = render(SINGLE_NODE).filter((s) => s.startsWith('INSERT INTO '));
    expect(single).toEqual([inserts[0]?.replace('\nSETTINGS insert_distributed_sync = 1', '')]);
  });

  it('empties the backfill target on every node before the backfill (the local table, not the Distributed one)', () => {
    const truncates = all.filter((s) => s.startsWith('TRUNCATE'));
    expect(truncates).toEqual([`TRUNCATE TABLE IF EXISTS samples_5m_local ON CLUSTER 'fleet'`]);
    expect(all.indexOf(truncates[0] ?? '')).toBeLessThan(all.findIndex((s) => s.startsWith('INSERT INTO samples_5m')));
  });

  it('replicates schema_migrations to every node under its own name, without a shard or a twin', () => {
    const sql = renderStatement({ kind: 'table', table: MIGRATIONS_TABLE }, CLUSTER);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toContain(
      "CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'fleet' (\n  version UInt32,\n  name String,\n  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)\n) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{database}/schema_migrations', '{replica}')",
    );
  });

  it('refuses names that are not identifiers', () => {
    const t = { kind: 'table', table: MIGRATIONS_TABLE } as const;
    expect(() => renderStatement(t, { cluster: "x' SETTINGS", database: 'db' })).toThrow(/not an identifier/);
    expect(() => renderStatement(t, { cluster: 'fleet', database: 'a b' })).toThrow(/not an identifier/);
  });
});
