import { join } from 'node:path';
import { startAgent, startHub, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { openStoreConnection } from '../src/store/clickhouse-connection.ts';

describe('hub killed and restarted while an agent streams', () => {
  const dir = tempDir('restart');
  afterAll(() => dir.remove());

  it('stores every sequence the agent produced exactly once', async () => {
    let hub = await startHub({ dataDir: dir.path });
    const { httpPort, grpcPort } = hub;
    const agent = await startAgent({ hubAddress: hub.grpcAddress, intervalMs: 200 });
    const acked = async () => (await agent.metrics()).ballast_agent_batches_acked_total ?? 0;

    await waitFor('first acks', async () => (await acked()) >= 5);
    for (let round = 0; round < 3; round++) {
      await hub.process.kill();
      // The agent keeps collecting while the hub is down; those batches wait in its buffer.
      await waitFor('batches buffered during the outage', async () => ((await agent.metrics()).ballast_agent_buffer_batches ?? 0) >= 5);
      hub = await startHub({ dataDir: dir.path, httpPort, grpcPort });
      const before = await acked();
      await waitFor(
        'acks after restart',
        async () => (await acked()) >= before + 8,
        20_000,
        () => agent.process.tail(),
      );
    }
    const final = await agent.stop();
    await hub.process.stop();

    const lastSequence = Number(final.lastSequence);
    expect(lastSequence).toBeGreaterThan(30);
    expect(final.bufferedBatches).toBe(0);
    expect(final.droppedBatches).toBe(0);
    expect(final.batchesRejected).toBe(0);

    // The hub has stopped, so this process may open its chDB directory and count.
    const { client } = openStoreConnection({ kind: 'chdb', path: join(dir.path, 'chdb') });
    try {
      const rows = await (
        await client.query({
          query: `SELECT seq, count() AS n, any(status) AS status, sum(points) AS points FROM ingest_batches
                  WHERE node = {node:String} AND epoch = {epoch:UInt64} GROUP BY seq ORDER BY seq`,
          query_params: { node: agent.node, epoch: String(final.epoch) },
          format: 'JSONEachRow',
        })
      ).json<{ seq: string; n: string; status: string; points: string }>();
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: lastSequence }, (_, i) => i + 1));
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['stored']));

      const recorded = rows.reduce((sum, r) => sum + Number(r.points), 0);
      const [stored] = await (
        await client.query({
          query: `SELECT uniqExact(series_id, ts) AS points FROM samples
                  WHERE series_id IN (SELECT series_id FROM series WHERE node = {node:String})`,
          query_params: { node: agent.node },
          format: 'JSONEachRow',
        })
      ).json<{ points: string }>();
      expect(Number(stored?.points)).toBe(recorded);
    } finally {
      await client.close();
    }
  });
});
