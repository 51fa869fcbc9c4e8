import { type NatsServerHandle, startAgent, startHub, startNatsServer, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerBacklog, range, storedBatches } from './nats-test-helpers.ts';

// One body for both transports: the delivery guarantees are the same, only where batches wait during the outage differs.
describe.each(['grpc', 'nats'] as const)('hub killed and restarted while an agent streams (%s)', (transport) => {
  const dir = tempDir(`restart-${transport}`);
  let nats: NatsServerHandle | null = null;
  afterAll(async () => {
    await nats?.dispose();
    dir.remove();
  });

  it('stores every sequence the agent produced exactly once', async () => {
    nats = transport === 'nats' ? await startNatsServer() : null;
    const natsUrl = nats?.url ?? '';
    // A short ack wait: what the killed hub had taken is redelivered within the test.
    const hubEnv: Record<string, string> = nats ? { BALLAST_NATS_URL: natsUrl, BALLAST_NATS_ACK_WAIT_MS: '2000' } : {};
    let hub = await startHub({ dataDir: dir.path, env: hubEnv });
    const { httpPort, grpcPort } = hub;
    const agent = await startAgent({
      hubAddress: hub.grpcAddress,
      intervalMs: 200,
      env: nats ? { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: natsUrl } : {},
    });
    const metric = async (name: string) => (await agent.metrics())[name] ?? 0;
    // Over gRPC the agent holds the outage's batches; over NATS the stream does (its publishes are acked by JetStream).
    const waiting = () => (nats ? consumerBacklog(natsUrl) : metric('ballast_agent_buffer_batches'));
    const caughtUp = async (before: number) =>
      nats ? (await consumerBacklog(natsUrl)) === 0 : (await metric('ballast_agent_batches_acked_total')) >= before + 8;

    await waitFor('first acks', async () => (await metric('ballast_agent_batches_acked_total')) >= 5);
    for (let round = 0; round < 3; round++) {
      await hub.process.kill();
      await waitFor('batches waiting during the outage', async () => (await waiting()) >= 5);
      hub = await startHub({ dataDir: dir.path, httpPort, grpcPort, env: hubEnv });
      const before = await metric('ballast_agent_batches_acked_total');
      await waitFor(
        'the hub caught up after its restart',
        () => caughtUp(before),
        20_000,
        () => `${hub.process.tail()}\n${agent.process.tail()}`,
      );
    }
    const final = await agent.stop();
    if (nats) await waitFor('the stream drained', async () => (await consumerBacklog(natsUrl)) === 0);
    await hub.process.stop();

    const lastSequence = Number(final.lastSequence);
    expect(lastSequence).toBeGreaterThan(30);
    expect(final).toMatchObject({ bufferedBatches: 0, droppedBatches: 0, batchesRejected: 0 });

    // The hub has stopped, so this process may open its chDB directory and count.
    const stored = await storedBatches(dir.path, agent.node);
    expect(stored.epochs).toEqual([String(final.epoch)]);
    expect(stored.rows.map((r) => r.seq)).toEqual(range(lastSequence));
    expect(stored.rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(stored.rows.map((r) => r.status))).toEqual(new Set(['stored']));
    expect(stored.points).toBe(stored.rows.reduce((sum, r) => sum + r.points, 0));
    // Four hub starts: ~20-35 s on two loaded cores, more when the whole suite runs alongside.
  }, 90_000);
});
