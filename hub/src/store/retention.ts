import type { ClickHouseClient } from '@clickhouse/client';
import { dataTable, onCluster, type StoreLayout } from './ddl.ts';

/** Days each class of data is kept; 0 keeps it forever (no TTL). */
export interface RetentionDays {
  raw: number;
  oneMinute: number;
  oneHour: number;
  events: number;
  logs: number;
  /**
   * The ingest ledger (`ingest_batches`): how long the hub remembers which batches of an
   * agent epoch it stored. Must outlast any agent's buffering of one epoch (minutes to hours);
   * a batch re-sent after its entry expired is stored again and collapses in `samples`.
   */
  ledger: number;
}

export const DEFAULT_RETENTION: RetentionDays = { raw: 15, oneMinute: 90, oneHour: 730, events: 365, logs: 30, ledger: 30 };

/** Each table with a retention, and the DateTime its rows expire from (TTL needs Date or DateTime). */
export const RETENTION_TARGETS: ReadonlyArray<{ table: string; retention: keyof RetentionDays; from: string }> = [
  { table: 'samples', retention: 'raw', from: 'toDateTime(ts)' },
  { table: 'samples_1m', retention: 'oneMinute', from: 'ts' },
  // The 5m rollup answers the same ranges as the 1m one, from fewer rows: kept as long.
  { table: 'samples_5m', retention: 'oneMinute', from: 'ts' },
  { table: 'samples_1h', retention: 'oneHour', from: 'ts' },
  { table: 'events', retention: 'events', from: 'toDateTime(time)' },
  { table: 'logs', retention: 'logs', from: 'toDateTime(time)' },
  // Unpartitioned, so expiry deletes rows in merges rather than dropping whole parts.
  { table: 'ingest_batches', retention: 'ledger', from: 'toDateTime(stored_at)' },
];

export interface RetentionChange {
  table: string;
  /** Days applied before; null = no TTL. */
  from: number | null;
  to: number | null;
}

/**
 * Brings every table's TTL to the configured retention, altering only tables whose applied
 * TTL differs, so a restart with the same config changes nothing. The applied TTL is read
 * back from `system.tables.engine_full` (the table's own metadata is the record; there is
 * no separate bookkeeping to drift). On a cluster the local tables are altered ON CLUSTER.
 *
 * A changed TTL is materialized on existing parts by a background mutation
 * (`materialize_ttl_after_modify`); with `ttl_only_drop_parts` that drops whole expired
 * parts rather than rewriting them.
 */
export async function applyRetention(client: ClickHouseClient, layout: StoreLayout, retention: RetentionDays): Promise<RetentionChange[]> {
  const names = RETENTION_TARGETS.map((t) => dataTable(t.table, layout));
  const result = await client.query({
    query: 'SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
    query_params: { names },
    format: 'JSONEachRow',
  });
  const applied = new Map((await result.json<{ name: string; engine_full: string }>()).map((r) => [r.name, appliedTtlDays(r.engine_full)]));
  const changes: RetentionChange[] = [];
  for (const target of RETENTION_TARGETS) {
    const name = dataTable(target.table, layout);
    const days = retention[target.retention];
    if (!Number.isInteger(days) || days < 0)
      throw new Error(`retention of ${target.table} must be a whole number of days >= 0, got ${days}`);
    const want = days === 0 ? null : days;
    const have = applied.get(name) ?? null;
    if (have === want) continue;
    const clause = want === null ? 'REMOVE TTL' : `MODIFY TTL ${target.from} + INTERVAL ${want} DAY`;
    await client.command({ query: `ALTER TABLE ${name}${onCluster(layout)} ${clause}` });
    changes.push({ table: target.table, from: have, to: want });
  }
  return changes;
}

/**
 * Days of the TTL in an `engine_full` text (`… TTL ts + toIntervalDay(90) SETTINGS …`);
 * null without a TTL, NaN for a TTL of another shape (which is then replaced).
 */
export function appliedTtlDays(engineFull: string): number | null {
  const ttl = /\bTTL (.+?)(?: SETTINGS |$)/.exec(engineFull)?.[1];
  if (ttl === undefined) return null;
  const days = /^\S+ \+ toIntervalDay\((\d+)\)$/.exec(ttl)?.[1];
  return days === undefined ? Number.NaN : Number(days);
}
