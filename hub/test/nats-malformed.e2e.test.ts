import { AgentMessageSchema } from '@ballast/proto';
import { type NatsServerHandle, startAgent, startHub, startNatsServer, tempDir, waitFor } from '@ballast/testkit';
import { create, toBinary } from '@bufbuild/protobuf';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerBacklog, range, storedBatches } from './nats-test-helpers.ts';

describe('NATS ingest: messages that can never be stored', () => {
  const dir = tempDir('nats-malformed');
  let nats: NatsServerHandle | null = null;
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await nats?.dispose();
    dir.remove();
  });

  it('are terminated (never redelivered) and recorded as rejected, while other agents go on', async () => {
    nats = await startNatsServer();
    const url = nats.url;
    const hub = await startHub({ dataDir: dir.path, env: { BALLAST_NATS_URL: url, BALLAST_NATS_ACK_WAIT_MS: '1000' } });
    cleanup.push(() => hub.process.stop());
    const agent = await startAgent({
      hubAddress: '127.0.0.1:1',
      intervalMs: 200,
      env: { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: url },
    });
    cleanup.push(() => agent.process.stop());
    await waitFor('first acks', async () => ((await agent.metrics()).ballast_agent_batches_acked_total ?? 0) >= 3);

    const nc = await connect({ servers: url });
    cleanup.push(() => nc.close());
    const js = jetstream(nc);
    const ids = (node: string, seq?: number) => {
      const h = headers();
      h.set('Ballast-Tenant', '');
      h.set('Ballast-Cluster', 'test');
      h.set('Ballast-Node', node);
      h.set('Ballast-Epoch', '7');
      if (seq) h.set('Ballast-Sequence', String(seq));
      return h;
    };
    const subject = 'ballast.=.test.bad-node.data';
    // 1: not an AgentMessage at all.
    await js.publish(subject, new Uint8Array([0xff, 0xff, 0xff, 0xff]), { headers: ids('bad-node', 1) });
    // 2: a well-formed batch naming a series that no dictionary in KV declares.
    const batch = create(AgentMessageSchema, {
      kind: { case: 'batch', value: { sequence: 2n, baseTimeMs: BigInt(Date.now()), seriesIds: [5], timeOffsetsMs: [0], values: [1] } },
    });
    await js.publish(subject, toBinary(AgentMessageSchema, batch), { headers: ids('bad-node', 2) });
    // 3: headers that claim another node than the subject; 4: no headers.
    await js.publish(subject, toBinary(AgentMessageSchema, batch), { headers: ids('someone-else', 3) });
    await js.publish(subject, new Uint8Array([1, 2, 3]));

    await waitFor(
      'four terminations',
      () => hub.process.logs().filter((l) => l.msg === 'NATS message terminated: it can never be stored').length >= 4,
      10_000,
      () => hub.process.tail(),
    );
    const before = (await agent.metrics()).ballast_agent_batches_acked_total ?? 0;
    // Several ack waits later nothing came back, and the good agent's batches kept flowing.
    await new Promise((r) => setTimeout(r, 3_000));
    const jsm = await jetstreamManager(nc);
    expect((await jsm.consumers.info('BALLAST', 'ballast-hub')).num_redelivered).toBe(0);
    expect(hub.process.logs().filter((l) => l.msg === 'NATS message terminated: it can never be stored')).toHaveLength(4);
    expect((await agent.metrics()).ballast_agent_batches_acked_total).toBeGreaterThan(before + 5);

    const final = await agent.stop();
    await waitFor('the stream drained', async () => (await consumerBacklog(url)) === 0);
    await hub.process.stop();

    const bad = await storedBatches(dir.path, 'bad-node');
    expect(bad.rows.map((r) => [r.seq, r.n, r.status])).toEqual([
      [1, 1, 'rejected'],
      [2, 1, 'rejected'],
    ]);
    const good = await storedBatches(dir.path, agent.node);
    expect(good.rows.map((r) => r.seq)).toEqual(range(Number(final.lastSequence)));
    expect(new Set(good.rows.map((r) => r.status))).toEqual(new Set(['stored']));
  }, 60_000);
});
