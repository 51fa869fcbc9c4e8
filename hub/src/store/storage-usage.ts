import type { ClickHouseClient } from '@clickhouse/client';
import { dataTable, onCluster, type StoreLayout } from './ddl.ts';
import type { StorageUsage, TableStorage } from './metrics-store.ts';
import { MIGRATIONS } from './schema.ts';

/** Every table the migrations create, in creation order (schema_migrations aside). */
export const STORE_TABLES: string[] = MIGRATIONS.flatMap((m) => m.statements.flatMap((s) => (s.kind === 'table' ? [s.table.name] : [])));

/** Tables whose rows are points (samples) or stand for points (rollups: their `count`). */
const ROLLUPS = ['samples_1m', 'samples_5m', 'samples_1h'];

/** See MetricsStore.storageUsage. */
export async function readStorageUsage(client: ClickHouseClient, layout: StoreLayout): Promise<StorageUsage> {
  const rows = async <T>(query: string, query_params: Record<string, unknown> = {}) =>
    (await client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  const local = new Map(STORE_TABLES.map((t) => [dataTable(t, layout), t]));
  // On a cluster, cluster() reads one replica of every shard: replicas hold copies, not more data.
  const parts = await rows<{ table: string; rows: string; parts: string; bytes: string; raw: string }>(
    `SELECT table, toString(sum(rows)) AS rows, toString(count()) AS parts,
            toString(sum(bytes_on_disk)) AS bytes, toString(sum(data_uncompressed_bytes)) AS raw
     FROM ${layout.cluster ? `cluster('${layout.cluster}', system.parts)` : 'system.parts'}
     WHERE active AND database = ${layout.cluster ? '{db:String}' : 'currentDatabase()'} AND table IN {tables:Array(String)}
     GROUP BY table`,
    { db: layout.database, tables: [...local.keys()] },
  );
  const byTable = new Map(parts.map((p) => [local.get(p.table) ?? p.table, p]));
  const rollupPoints = new Map<string, number>();
  for (const t of ROLLUPS) {
    const [r] = await rows<{ n: string }>(`SELECT toString(sum(count)) AS n FROM ${t}`);
    rollupPoints.set(t, Number(r?.n ?? 0));
  }
  const tables = STORE_TABLES.map((table): TableStorage => {
    const p = byTable.get(table);
    const n = Number(p?.rows ?? 0);
    const bytesOnDisk = Number(p?.bytes ?? 0);
    const points = table === 'samples' ? n : (rollupPoints.get(table) ?? null);
    return {
      table,
      rows: n,
      parts: Number(p?.parts ?? 0),
      bytesOnDisk,
      bytesUncompressed: Number(p?.raw ?? 0),
      bytesPerRow: n > 0 ? bytesOnDisk / n : 0,
      points,
      bytesPerPoint: points === null ? null : points > 0 ? bytesOnDisk / points : 0,
    };
  });
  return { tables, totalBytesOnDisk: tables.reduce((s, t) => s + t.bytesOnDisk, 0) };
}

/** See MetricsStore.optimize. Samples first; a merge never feeds the views, so order is free otherwise. */
export async function optimizeTables(client: ClickHouseClient, layout: StoreLayout): Promise<void> {
  for (const t of STORE_TABLES) {
    await client.command({ query: `OPTIMIZE TABLE ${dataTable(t, layout)}${onCluster(layout)} FINAL` });
  }
}
