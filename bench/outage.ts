/**
 * Soak: the hub is down for 10 minutes while an agent (10 s interval, disk buffer) keeps
 * collecting; halfway through the agent is SIGKILLed and restarted. Then the hub comes back
 * and we count, in ClickHouse, that every sequence the agent produced is stored exactly once.
 * Over gRPC, and over NATS JetStream with the NATS server down for the same 10 minutes as the
 * hub (JetStream up would simply take the data: no outage for the agent). The two transports
 * run side by side (separate hubs, agents and directories; both mostly wait).
 * Writes bench/results/outage.json: the gRPC run's keys at the top level as before, each
 * transport's under `transports`, and the totals.
 *
 *   npm run bench:outage -- [--outage-seconds 600] [--interval-ms 10000] [--transport grpc,nats]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AgentHandle,
  type HubHandle,
  type NatsServerHandle,
  startAgent,
  startHub,
  startNatsServer,
  tempDir,
  waitFor,
} from '@ballast/testkit';
import { openStoreConnection } from '../hub/src/store/clickhouse-connection.ts';
// The hub's NATS test helper: the durable consumer's backlog.
import { consumerBacklog } from '../hub/test/nats-test-helpers.ts';

const { values: args } = parseArgs({
  options: {
    'outage-seconds': { type: 'string', default: '600' },
    'interval-ms': { type: 'string', default: '10000' },
    transport: { type: 'string', default: 'grpc,nats' },
  },
});
const OUTAGE_S = Number(args['outage-seconds']);
const INTERVAL_MS = Number(args['interval-ms']);
const metric = async (agent: AgentHandle, name: string) => (await agent.metrics())[name] ?? 0;

type Transport = 'grpc' | 'nats';
const say = (transport: Transport, line: string) => process.stdout.write(`[${transport}] ${line}\n`);

async function outage(transport: Transport): Promise<Record<string, unknown>> {
  const hubDir = tempDir(`outage-hub-${transport}`);
  const bufferDir = tempDir(`outage-buffer-${transport}`);
  const node = `outage-node-${transport}-${process.pid}`;
  // What is running, for the finally block: a failed run must not leave processes behind.
  const live: { hub?: HubHandle; agent?: AgentHandle; nats?: NatsServerHandle } = {};
  try {
    const nats = transport === 'nats' ? await startNatsServer() : undefined;
    live.nats = nats;
    const hubEnv: Record<string, string> = nats ? { BALLAST_NATS_URL: nats.url } : {};
    const transportEnv: Record<string, string> = nats ? { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url } : {};
    // Over NATS the agent gets no working gRPC address: its data can only travel through JetStream.
    const agentOptions = (hubAddress: string) => ({
      hubAddress: nats ? '127.0.0.1:1' : hubAddress,
      node,
      intervalMs: INTERVAL_MS,
      env: { BALLAST_BUFFER_DIR: bufferDir.path, ...transportEnv },
    });
    let hub = await startHub({ dataDir: hubDir.path, env: hubEnv });
    live.hub = hub;
    const { httpPort, grpcPort, grpcAddress } = hub;
    let agent = await startAgent(agentOptions(grpcAddress));
    live.agent = agent;
    const started = await agent.process.waitForLog((l) => l.msg === 'agent started');
    await waitFor('first acks', async () => (await metric(agent, 'ballast_agent_batches_acked_total')) >= 2, 60_000);

    const outageStart = performance.now();
    await hub.process.kill();
    await nats?.stop();
    say(transport, `hub${nats ? ' and NATS' : ''} down for ${OUTAGE_S} s`);
    await new Promise((r) => setTimeout(r, (OUTAGE_S / 2) * 1000));
    const beforeKill = await metric(agent, 'ballast_agent_last_sequence');
    await agent.process.kill();
    agent = await startAgent(agentOptions(grpcAddress));
    live.agent = agent;
    const restarted = await agent.process.waitForLog((l) => l.msg === 'agent started');
    say(transport, `agent SIGKILLed at sequence ${beforeKill} and restarted (epoch kept: ${restarted.epoch === started.epoch})`);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_S * 1000 - (performance.now() - outageStart))));
    const outageSeconds = (performance.now() - outageStart) / 1000;
    const buffered = await metric(agent, 'ballast_agent_buffer_batches');

    await nats?.restart();
    hub = await startHub({ dataDir: hubDir.path, httpPort, grpcPort, env: hubEnv });
    live.hub = hub;
    const backAt = performance.now();
    await waitFor(
      'backlog acked',
      async () => (await metric(agent, 'ballast_agent_buffer_batches')) === 0,
      120_000,
      () => `${agent.process.tail(40)}\n--- hub ---\n${hub.process.tail(20)}`,
    );
    // Over NATS the agent's buffer empties into JetStream: the hub has stored it when its consumer has nothing left.
    if (nats)
      await waitFor(
        'stream consumed by the hub',
        async () => (await consumerBacklog(nats.url)) === 0,
        120_000,
        () => hub.process.tail(20),
      );
    const drainSeconds = (performance.now() - backAt) / 1000;
    const final = await agent.stop();
    await hub.process.stop();

    const last = Number(final.lastSequence);
    const { client } = openStoreConnection({ kind: 'chdb', path: join(hubDir.path, 'chdb') });
    let storedOnce = 0;
    let duplicates = 0;
    let missing = 0;
    try {
      const rows = await (
        await client.query({
          query: 'SELECT seq, count() AS n FROM ingest_batches WHERE node = {node:String} AND epoch = {epoch:UInt64} GROUP BY seq',
          query_params: { node, epoch: String(final.epoch) },
          format: 'JSONEachRow',
        })
      ).json<{ seq: string; n: string }>();
      const seen = new Map(rows.map((r) => [Number(r.seq), Number(r.n)]));
      for (let s = 1; s <= last; s++) {
        const n = seen.get(s) ?? 0;
        if (n === 0) missing += 1;
        if (n === 1) storedOnce += 1;
        if (n > 1) duplicates += n - 1;
      }
    } finally {
      await client.close();
    }
    return {
      outage_s: Math.round(outageSeconds),
      interval_ms: INTERVAL_MS,
      agent_restarted_during_outage: true,
      epoch_kept_across_restart: restarted.epoch === started.epoch,
      sequences_produced: last,
      sequences_stored_once: storedOnce,
      sequences_lost: missing,
      duplicate_rows: duplicates,
      batches_buffered_at_reconnect: buffered,
      backlog_drained_s: Math.round(drainSeconds * 10) / 10,
      dropped_batches: final.droppedBatches,
      transport,
      measured_at: new Date().toISOString(),
    };
  } finally {
    await live.agent?.process.stop().catch(() => undefined);
    await live.hub?.process.stop().catch(() => undefined);
    await live.nats?.dispose().catch(() => undefined);
    hubDir.remove();
    bufferDir.remove();
  }
}

async function main(): Promise<void> {
  const transports = args.transport.split(',').map((t) => t.trim());
  for (const t of transports) if (t !== 'grpc' && t !== 'nats') throw new Error(`--transport: unknown transport "${t}" (grpc, nats)`);
  const runs = await Promise.all((transports as Transport[]).map((t) => outage(t)));
  const byTransport = Object.fromEntries(runs.map((r) => [r.transport as string, r]));
  const sum = (key: string) => runs.reduce((n, r) => n + Number(r[key]), 0);
  const result = {
    ...(byTransport.grpc ?? runs[0]),
    transports: byTransport,
    total_sequences_lost: sum('sequences_lost'),
    total_duplicate_rows: sum('duplicate_rows'),
    measured_at: new Date().toISOString(),
  };
  writeFileSync(new URL('./results/outage.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
process.exit(0);
