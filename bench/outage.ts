/**
 * Soak: the hub is down for 10 minutes while an agent (10 s interval, disk buffer) keeps
 * collecting; halfway through the agent is SIGKILLed and restarted. Then the hub comes back
 * and we count, in ClickHouse, that every sequence the agent produced is stored exactly once.
 * Writes bench/results/outage.json.
 *
 *   npm run bench:outage -- [--outage-seconds 600] [--interval-ms 10000]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AgentHandle, type HubHandle, startAgent, startHub, tempDir, waitFor } from '@ballast/testkit';
import { openStoreConnection } from '../hub/src/store/clickhouse-connection.ts';

const { values: args } = parseArgs({
  options: { 'outage-seconds': { type: 'string', default: '600' }, 'interval-ms': { type: 'string', default: '10000' } },
});
const OUTAGE_S = Number(args['outage-seconds']);
const INTERVAL_MS = Number(args['interval-ms']);
const metric = async (agent: AgentHandle, name: string) => (await agent.metrics())[name] ?? 0;

async function main(): Promise<void> {
  const hubDir = tempDir('outage-hub');
  const bufferDir = tempDir('outage-buffer');
  const node = `outage-node-${process.pid}`;
  const agentOptions = (hubAddress: string) => ({ hubAddress, node, intervalMs: INTERVAL_MS, env: { BALLAST_BUFFER_DIR: bufferDir.path } });
  // What is running, for the finally block: a failed run must not leave processes behind.
  const live: { hub?: HubHandle; agent?: AgentHandle } = {};
  try {
    let hub = await startHub({ dataDir: hubDir.path });
    live.hub = hub;
    const { httpPort, grpcPort, grpcAddress } = hub;
    let agent = await startAgent(agentOptions(grpcAddress));
    live.agent = agent;
    const started = await agent.process.waitForLog((l) => l.msg === 'agent started');
    await waitFor('first acks', async () => (await metric(agent, 'ballast_agent_batches_acked_total')) >= 2, 60_000);

    const outageStart = performance.now();
    await hub.process.kill();
    process.stdout.write(`hub down for ${OUTAGE_S} s\n`);
    await new Promise((r) => setTimeout(r, (OUTAGE_S / 2) * 1000));
    const beforeKill = await metric(agent, 'ballast_agent_last_sequence');
    await agent.process.kill();
    agent = await startAgent(agentOptions(grpcAddress));
    live.agent = agent;
    const restarted = await agent.process.waitForLog((l) => l.msg === 'agent started');
    process.stdout.write(`agent SIGKILLed at sequence ${beforeKill} and restarted (epoch kept: ${restarted.epoch === started.epoch})\n`);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_S * 1000 - (performance.now() - outageStart))));
    const outageSeconds = (performance.now() - outageStart) / 1000;
    const buffered = await metric(agent, 'ballast_agent_buffer_batches');

    hub = await startHub({ dataDir: hubDir.path, httpPort, grpcPort });
    live.hub = hub;
    const backAt = performance.now();
    await waitFor(
      'backlog acked',
      async () => (await metric(agent, 'ballast_agent_buffer_batches')) === 0,
      120_000,
      () => `${agent.process.tail(40)}\n--- hub ---\n${hub.process.tail(20)}`,
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
    const result = {
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
      transport: 'grpc',
      measured_at: new Date().toISOString(),
    };
    writeFileSync(new URL('./results/outage.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await live.agent?.process.stop().catch(() => undefined);
    await live.hub?.process.stop().catch(() => undefined);
    hubDir.remove();
    bufferDir.remove();
  }
}

await main();
process.exit(0);
