import { type AgentHandle, type HubHandle, startAgent, startHub, startNatsServer, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerBacklog, range, storedBatches, storedPointKeys } from './nats-test-helpers.ts';

describe('two hubs sharing the one durable NATS consumer', () => {
  const dirs = [tempDir('nats-hub-a'), tempDir('nats-hub-b')];
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    for (const d of dirs) d.remove();
  });

  it('stores every sequence of every agent exactly once across both stores, and no point twice', async () => {
    const nats = await startNatsServer();
    cleanup.push(() => nats.dispose());
    const hubs: HubHandle[] = await Promise.all(dirs.map((d) => startHub({ dataDir: d.path, env: { BALLAST_NATS_URL: nats.url } })));
    for (const h of hubs) cleanup.push(() => h.process.stop());
    const agents: AgentHandle[] = await Promise.all(
      [1, 2].map(() =>
        startAgent({ hubAddress: '127.0.0.1:1', intervalMs: 100, env: { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url } }),
      ),
    );
    for (const a of agents) cleanup.push(() => a.process.stop());

    await waitFor(
      'every agent past sequence 50',
      async () => {
        for (const a of agents) if (((await a.metrics()).ballast_agent_last_sequence ?? 0) < 50) return false;
        return true;
      },
      25_000,
    );
    const finals = await Promise.all(agents.map((a) => a.stop()));
    await waitFor('the stream drained', async () => (await consumerBacklog(nats.url)) === 0);
    for (const h of hubs) await h.process.stop();

    let batchesPerHub = [0, 0];
    for (const [i, agent] of agents.entries()) {
      const final = finals[i] as Record<string, unknown>;
      expect(final).toMatchObject({ bufferedBatches: 0, droppedBatches: 0, batchesRejected: 0 });
      // One chDB directory per process at a time: read the stores one after the other.
      const perHub = [await storedBatches(dirs[0]?.path as string, agent.node), await storedBatches(dirs[1]?.path as string, agent.node)];
      const seqs = perHub.flatMap((s) => s.rows.flatMap((r) => Array<number>(r.n).fill(r.seq))).sort((a, b) => a - b);
      expect(seqs).toEqual(range(Number(final.lastSequence)));
      batchesPerHub = batchesPerHub.map((n, h) => n + (perHub[h]?.rows.length ?? 0));

      const keys = [
        ...(await storedPointKeys(dirs[0]?.path as string, agent.node)),
        ...(await storedPointKeys(dirs[1]?.path as string, agent.node)),
      ];
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(perHub.reduce((sum, s) => sum + s.rows.reduce((p, r) => p + r.points, 0), 0));
    }
    // Both hubs took part (the consumer hands out work in pulls of up to 256 messages).
    expect(
      batchesPerHub.every((n) => n > 0),
      `batches per hub: ${batchesPerHub}`,
    ).toBe(true);
  }, 60_000);
});
