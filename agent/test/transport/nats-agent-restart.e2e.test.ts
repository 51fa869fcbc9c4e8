import { type AgentHandle, startAgent, startHub, startNatsServer, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
// Test-only reach into the hub's test helpers: counting what it stored needs its chDB directory and the NATS consumer.
import { consumerBacklog, range, storedBatches } from '../../../hub/test/nats-test-helpers.ts';

const metric = async (agent: AgentHandle, name: string) => (await agent.metrics())[name] ?? 0;

describe('NATS transport: agent SIGKILLed while NATS and the hub are down, with a disk buffer', () => {
  const hubDir = tempDir('nats-agent-restart-hub');
  const bufferDir = tempDir('nats-agent-restart-buffer');
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    hubDir.remove();
    bufferDir.remove();
  });

  it('loses nothing: every sequence of its one epoch is stored exactly once', async () => {
    const nats = await startNatsServer();
    cleanup.push(() => nats.dispose());
    const node = `nats-buffered-node-${process.pid}`;
    const hubEnv = { BALLAST_NATS_URL: nats.url, BALLAST_NATS_ACK_WAIT_MS: '2000' };
    const agentOptions = {
      hubAddress: '127.0.0.1:1',
      node,
      intervalMs: 200,
      env: { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url, BALLAST_BUFFER_DIR: bufferDir.path },
    };
    let hub = await startHub({ dataDir: hubDir.path, env: hubEnv });
    const { httpPort, grpcPort } = hub;
    let agent = await startAgent(agentOptions);
    const started = await agent.process.waitForLog((l) => l.msg === 'agent started');
    await waitFor('first acks', async () => (await metric(agent, 'ballast_agent_batches_acked_total')) >= 5);

    // The outage: the hub crashes and NATS goes away; the agent can only buffer.
    await hub.process.kill();
    await nats.stop();
    await waitFor('batches buffered during the outage', async () => (await metric(agent, 'ballast_agent_buffer_batches')) >= 5);
    const lastBeforeKill = await metric(agent, 'ballast_agent_last_sequence');
    await agent.process.kill();

    await nats.restart();
    agent = await startAgent(agentOptions);
    const restarted = await agent.process.waitForLog((l) => l.msg === 'agent started');
    expect(restarted.epoch).toBe(started.epoch);
    const opened = await agent.process.waitForLog((l) => l.msg === 'buffer opened');
    expect(Number(opened.pendingBatches)).toBeGreaterThanOrEqual(5);
    // With the hub still down, JetStream takes (and acks) the backlog: the stream holds it now.
    await waitFor(
      'the backlog published to the stream',
      async () => (await metric(agent, 'ballast_agent_connected')) === 1 && (await metric(agent, 'ballast_agent_buffer_batches')) === 0,
      15_000,
      () => agent.process.tail(),
    );

    hub = await startHub({ dataDir: hubDir.path, httpPort, grpcPort, env: hubEnv });
    await waitFor(
      'the hub drained the stream',
      async () => (await consumerBacklog(nats.url)) === 0,
      15_000,
      () => hub.process.tail(),
    );
    const final = await agent.stop();
    await waitFor('the last batches stored', async () => (await consumerBacklog(nats.url)) === 0);
    await hub.process.stop();

    const last = Number(final.lastSequence);
    expect(last).toBeGreaterThan(lastBeforeKill);
    expect(final).toMatchObject({ epoch: started.epoch, bufferKind: 'disk', bufferedBatches: 0, droppedBatches: 0, batchesRejected: 0 });

    const stored = await storedBatches(hubDir.path, node);
    expect(stored.epochs).toEqual([String(started.epoch)]);
    expect(stored.rows.map((r) => r.seq)).toEqual(range(last));
    expect(stored.rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(stored.rows.map((r) => r.status))).toEqual(new Set(['stored']));
  }, 60_000);
});
