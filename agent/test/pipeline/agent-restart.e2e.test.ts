import { join } from 'node:path';
import { type AgentHandle, startAgent, startHub, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
// Test-only reach into the hub: counting what it stored needs its chDB directory opened the way it opens it.
import { openStoreConnection } from '../../../hub/src/store/clickhouse-connection.ts';

const metric = async (agent: AgentHandle, name: string) => (await agent.metrics())[name] ?? 0;

describe('agent SIGKILLed while the hub is down, with a disk buffer', () => {
  const hubDir = tempDir('agent-restart-hub');
  const bufferDir = tempDir('agent-restart-buffer');
  afterAll(() => {
    hubDir.remove();
    bufferDir.remove();
  });

  it('loses nothing: after both restart, every sequence of its one epoch is stored exactly once', async () => {
    const node = `buffered-node-${process.pid}`;
    const agentOptions = (hubAddress: string) => ({ hubAddress, node, intervalMs: 200, env: { BALLAST_BUFFER_DIR: bufferDir.path } });
    let hub = await startHub({ dataDir: hubDir.path });
    const { httpPort, grpcPort, grpcAddress } = hub;
    let agent = await startAgent(agentOptions(grpcAddress));
    const started = await agent.process.waitForLog((l) => l.msg === 'agent started');

    await waitFor('first acks', async () => (await metric(agent, 'ballast_agent_batches_acked_total')) >= 5);
    await hub.process.kill();
    await waitFor('batches buffered while the hub is down', async () => (await metric(agent, 'ballast_agent_buffer_batches')) >= 5);
    const lastBeforeKill = await metric(agent, 'ballast_agent_last_sequence');
    await agent.process.kill();

    // Same directory and node name: the agent must come back as the same epoch and sequence space.
    agent = await startAgent(agentOptions(grpcAddress));
    const restarted = await agent.process.waitForLog((l) => l.msg === 'agent started');
    expect(restarted.epoch).toBe(started.epoch);
    const opened = await agent.process.waitForLog((l) => l.msg === 'buffer opened');
    expect(Number(opened.pendingBatches)).toBeGreaterThanOrEqual(5);
    expect(Number(opened.lastSequence)).toBeGreaterThanOrEqual(lastBeforeKill);
    await waitFor(
      'more batches buffered after the restart',
      async () => (await metric(agent, 'ballast_agent_last_sequence')) >= lastBeforeKill + 3,
    );

    hub = await startHub({ dataDir: hubDir.path, httpPort, grpcPort });
    await waitFor(
      'the backlog acked',
      async () => (await metric(agent, 'ballast_agent_connected')) === 1 && (await metric(agent, 'ballast_agent_buffer_batches')) === 0,
      30_000,
      () => agent.process.tail(),
    );
    const final = await agent.stop();
    await hub.process.stop();

    expect(final.epoch).toBe(started.epoch);
    const last = Number(final.lastSequence);
    expect(last).toBeGreaterThan(lastBeforeKill);
    expect(final).toMatchObject({ bufferKind: 'disk', bufferedBatches: 0, droppedBatches: 0, batchesRejected: 0, bufferErrors: 0 });

    // The hub has stopped, so this process may open its chDB directory and count.
    const { client } = openStoreConnection({ kind: 'chdb', path: join(hubDir.path, 'chdb') });
    try {
      const rows = await (
        await client.query({
          query: `SELECT seq, count() AS n, any(status) AS status FROM ingest_batches
                  WHERE node = {node:String} GROUP BY seq ORDER BY seq`,
          query_params: { node },
          format: 'JSONEachRow',
        })
      ).json<{ seq: string; n: string; status: string }>();
      const epochs = await (
        await client.query({
          query: 'SELECT DISTINCT toString(epoch) AS epoch FROM ingest_batches WHERE node = {node:String}',
          query_params: { node },
          format: 'JSONEachRow',
        })
      ).json<{ epoch: string }>();
      expect(epochs.map((e) => e.epoch)).toEqual([String(started.epoch)]);
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['stored']));
    } finally {
      await client.close();
    }
  }, 120_000);
});
