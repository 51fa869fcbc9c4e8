import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { openStoreConnection } from '../src/store/clickhouse-connection.ts';

/** Messages the shared hub consumer has not acked yet (undelivered + delivered un-acked). */
export async function consumerBacklog(url: string, consumer = 'ballast-hub'): Promise<number> {
  const nc = await connect({ servers: url, maxReconnectAttempts: 0 });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info('BALLAST', consumer);
    return info.num_pending + info.num_ack_pending;
  } finally {
    await nc.close();
  }
}

export interface BatchRow {
  seq: number;
  n: number;
  status: string;
  points: number;
}

/** ingest_batches rows of one node (all epochs), per sequence, from a stopped hub's chDB directory. */
export async function storedBatches(hubDataDir: string, node: string): Promise<{ rows: BatchRow[]; epochs: string[]; points: number }> {
  const { client } = openStoreConnection({ kind: 'chdb', path: join(hubDataDir, 'chdb') });
  try {
    const q = async <T>(query: string) =>
      (await client.query({ query, query_params: { node }, format: 'JSONEachRow' })).json<T>() as Promise<T[]>;
    const rows = await q<{ seq: string; n: string; status: string; points: string }>(
      `SELECT seq, count() AS n, any(status) AS status, sum(points) AS points FROM ingest_batches
       WHERE node = {node:String} GROUP BY seq ORDER BY seq`,
    );
    const epochs = await q<{ epoch: string }>('SELECT DISTINCT toString(epoch) AS epoch FROM ingest_batches WHERE node = {node:String}');
    const [stored] = await q<{ points: string }>(
      `SELECT uniqExact(series_id, ts) AS points FROM samples
       WHERE series_id IN (SELECT series_id FROM series WHERE node = {node:String})`,
    );
    return {
      rows: rows.map((r) => ({ seq: Number(r.seq), n: Number(r.n), status: r.status, points: Number(r.points) })),
      epochs: epochs.map((e) => e.epoch),
      points: Number(stored?.points ?? 0),
    };
  } finally {
    await client.close();
  }
}

/** 1..n */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Every stored (series, ts) of one node as "series:ts", to check that no point is in two hubs' stores. */
export async function storedPointKeys(hubDataDir: string, node: string): Promise<string[]> {
  const { client } = openStoreConnection({ kind: 'chdb', path: join(hubDataDir, 'chdb') });
  try {
    const rows = await (
      await client.query({
        query: `SELECT DISTINCT toString(series_id) AS s, toString(toUnixTimestamp64Milli(ts)) AS t FROM samples
                WHERE series_id IN (SELECT series_id FROM series WHERE node = {node:String})`,
        query_params: { node },
        format: 'JSONEachRow',
      })
    ).json<{ s: string; t: string }>();
    return rows.map((r) => `${r.s}:${r.t}`);
  } finally {
    await client.close();
  }
}
