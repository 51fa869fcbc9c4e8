/**
 * Ingest benchmark: N simulated agents stream synthetic batches over real gRPC into a real
 * hub process (chDB in a temp dir); we count the points the hub acked as stored and time
 * each batch from send to ack. Writes bench/results/ingest.json.
 *
 *   npm run bench:ingest -- [--agents 200] [--series 200] [--steps 10] [--seconds 20] [--in-flight 2]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startHub, tempDir } from '@ballast/testkit';
import { percentile, startAgents } from './agent-load.ts';

const { values: args } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    series: { type: 'string', default: '200' },
    steps: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    'in-flight': { type: 'string', default: '2' },
    'agents-per-channel': { type: 'string', default: '25' },
  },
});

async function main(): Promise<void> {
  const dir = tempDir('bench-ingest');
  const hub = await startHub({ dataDir: dir.path, env: { BALLAST_FLUSH_INTERVAL_MS: '200' } });
  const load = startAgents({
    address: hub.grpcAddress,
    agents: Number(args.agents),
    series: Number(args.series),
    steps: Number(args.steps),
    inFlight: Number(args['in-flight']),
    agentsPerChannel: Number(args['agents-per-channel']),
  });
  try {
    await new Promise((r) => setTimeout(r, 3_000)); // warm-up: connections, dictionaries, first merges
    load.stats.measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
    load.stats.measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    await load.stop();
    const sorted = load.stats.latencies.sort((a, b) => a - b);
    const ms = (v: number) => Math.round(v * 10) / 10;
    const result = {
      points_per_second: Math.round(load.stats.ackedPoints / elapsed),
      p95_ack_ms: ms(percentile(sorted, 95)),
      p50_ack_ms: ms(percentile(sorted, 50)),
      p99_ack_ms: ms(percentile(sorted, 99)),
      agents: Number(args.agents),
      cpu_cores: cpus().length,
      series_per_agent: Number(args.series),
      points_per_batch: Number(args.series) * Number(args.steps),
      batches_in_flight_per_agent: Number(args['in-flight']),
      duration_s: Math.round(elapsed * 10) / 10,
      batches_acked: load.stats.ackedBatches,
      stream_errors: load.stats.errors,
      store: 'chdb',
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/ingest.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await hub.process.stop();
    dir.remove();
  }
}

await main();
process.exit(0);
