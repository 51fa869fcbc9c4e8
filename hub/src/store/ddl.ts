/**
 * The one DDL generator of the metrics store. Tables, views and alters are described once
 * (schema.ts) and rendered either for a single node (chDB or one server) or for a
 * ClickHouse cluster, so the two layouts cannot drift apart.
 *
 * Cluster layout, per table `t`:
 * - `t_local`: the data, `ON CLUSTER`, engine `Replicated<Engine>` keyed in Keeper by shard;
 * - `t`: a `Distributed` twin with the same columns over `t_local`, so every query and
 *   insert in the store uses the same table names in both layouts.
 * Materialized views attach to the local tables: a row lands on one shard and is rolled up
 * there, which is consistent because samples and rollups shard on the same key.
 */

export interface ColumnSpec {
  name: string;
  type: string;
  /** Compression codecs; omitted on the Distributed twin, which stores nothing. */
  codec?: string;
  /** DEFAULT expression; kept on the Distributed twin, which fills it on insert. */
  default?: string;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  engine: 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';
  /** Engine arguments after the replication ones, e.g. a version column. */
  engineArgs?: string;
  partitionBy?: string;
  primaryKey?: string;
  orderBy: string;
  settings?: string;
  /**
   * Sharding key of the Distributed twin. Rows that FINAL or a merge must collapse together
   * need the same key: ReplacingMergeTree and AggregatingMergeTree collapse within a shard only.
   * `null`: the table is replicated to every node of the cluster instead (no shard, no twin).
   */
  shardBy: string | null;
}

export interface ViewSpec {
  name: string;
  to: string;
  from: string;
  /** The SELECT, given the name of the source table in the layout rendered. */
  select: (from: string) => string;
}

export type SchemaStatement =
  | { kind: 'table'; table: TableSpec }
  | { kind: 'view'; view: ViewSpec }
  /**
   * `clauses` apply to the table holding the data (the local table in a cluster); with
   * `twin`, to its Distributed twin as well (column changes must reach both).
   */
  | { kind: 'alter'; table: string; clauses: string; twin?: boolean }
  | { kind: 'drop-view'; name: string }
  /**
   * Fills `table` from a SELECT over existing tables (a new rollup from an older one). Both
   * names are the ones queries use, so on a cluster it reads and writes through the
   * Distributed tables (each row lands on its shard), synchronously.
   */
  | { kind: 'backfill'; table: string; select: string }
  /** Empties a table a later backfill of the same migration fills, so a migration re-run after a crash does not count rows twice. */
  | { kind: 'truncate'; table: string };

export interface StoreLayout {
  /** '' = single node; otherwise a cluster name from the server's remote_servers. */
  cluster: string;
  /** Database of the Distributed twins' local tables (cluster layout only). */
  database: string;
}

export const SINGLE_NODE: StoreLayout = { cluster: '', database: 'default' };

/** Cluster and database names are interpolated into DDL: only plain identifiers are allowed. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The table that holds a table's rows in this layout (what ALTER, OPTIMIZE and system.parts see). */
export function dataTable(name: string, layout: StoreLayout): string {
  return layout.cluster ? `${name}_local` : name;
}

/** ` ON CLUSTER '<name>'` in a cluster, '' on a single node. */
export function onCluster(layout: StoreLayout): string {
  return layout.cluster ? ` ON CLUSTER '${layout.cluster}'` : '';
}

/** Renders one schema statement as the SQL statements to run, in order. */
export function renderStatement(statement: SchemaStatement, layout: StoreLayout): string[] {
  if (layout.cluster && !IDENTIFIER.test(layout.cluster)) throw new Error(`cluster name "${layout.cluster}" is not an identifier`);
  if (layout.cluster && !IDENTIFIER.test(layout.database)) throw new Error(`database name "${layout.database}" is not an identifier`);
  switch (statement.kind) {
    case 'table':
      return renderTable(statement.table, layout);
    case 'view': {
      const v = statement.view;
      const to = dataTable(v.to, layout);
      return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${v.name}${onCluster(layout)} TO ${to}\nAS ${v.select(dataTable(v.from, layout))}`];
    }
    case 'alter': {
      const out = [`ALTER TABLE ${dataTable(statement.table, layout)}${onCluster(layout)} ${statement.clauses}`];
      if (statement.twin && layout.cluster) out.push(`ALTER TABLE ${statement.table}${onCluster(layout)} ${statement.clauses}`);
      return out;
    }
    case 'drop-view':
      return [`DROP VIEW IF EXISTS ${statement.name}${onCluster(layout)}`];
    case 'truncate':
      return [`TRUNCATE TABLE IF EXISTS ${dataTable(statement.table, layout)}${onCluster(layout)}`];
    case 'backfill':
      return [`INSERT INTO ${statement.table}\n${statement.select}${layout.cluster ? '\nSETTINGS insert_distributed_sync = 1' : ''}`];
  }
}

function renderTable(t: TableSpec, layout: StoreLayout): string[] {
  const clauses = [
    t.partitionBy ? `PARTITION BY ${t.partitionBy}` : '',
    t.primaryKey ? `PRIMARY KEY ${t.primaryKey}` : '',
    `ORDER BY ${t.orderBy}`,
    t.settings ? `SETTINGS ${t.settings}` : '',
  ].filter(Boolean);
  if (!layout.cluster) {
    const engine = t.engineArgs ? `${t.engine}(${t.engineArgs})` : t.engine;
    return [`CREATE TABLE IF NOT EXISTS ${t.name} (\n  ${columns(t, true)}\n) ENGINE = ${engine}\n${clauses.join('\n')}`];
  }
  // {shard}, {replica} and {database} are server macros. A table on every node keeps its
  // name (there is no twin) and shares one Keeper path across shards.
  const local = t.shardBy === null ? t.name : dataTable(t.name, layout);
  const path = t.shardBy === null ? `/clickhouse/tables/{database}/${local}` : `/clickhouse/tables/{shard}/{database}/${local}`;
  const args = [`'${path}'`, `'{replica}'`, ...(t.engineArgs ? [t.engineArgs] : [])].join(', ');
  const out = [
    `CREATE TABLE IF NOT EXISTS ${local}${onCluster(layout)} (\n  ${columns(t, true)}\n) ENGINE = Replicated${t.engine}(${args})\n${clauses.join('\n')}`,
  ];
  if (t.shardBy !== null) {
    out.push(
      `CREATE TABLE IF NOT EXISTS ${t.name}${onCluster(layout)} (\n  ${columns(t, false)}\n) ENGINE = Distributed('${layout.cluster}', '${layout.database}', '${local}', ${t.shardBy})`,
    );
  }
  return out;
}

function columns(t: TableSpec, withCodecs: boolean): string {
  return t.columns
    .map((c) => `${c.name} ${c.type}${c.default ? ` DEFAULT ${c.default}` : ''}${withCodecs && c.codec ? ` CODEC(${c.codec})` : ''}`)
    .join(',\n  ');
}
