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
import {
  type AgentMessage,
  AgentMessageSchema,
  agentGatewayDefinition,
  type HubMessage,
  MetricKind,
  SampleBatchSchema,
  SeriesDefinitionSchema,
} from '@ballast/proto';
import { startHub, tempDir } from '@ballast/testkit';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';

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
const AGENTS = Number(args.agents);
const SERIES = Number(args.series);
const STEPS = Number(args.steps);
const SECONDS = Number(args.seconds);
const IN_FLIGHT = Number(args['in-flight']);
const PER_CHANNEL = Number(args['agents-per-channel']);
const POINTS_PER_BATCH = SERIES * STEPS;

const Client = grpc.makeGenericClientConstructor(agentGatewayDefinition, 'AgentGateway');
type Stream = grpc.ClientDuplexStream<AgentMessage, HubMessage>;

interface Stats {
  measuring: boolean;
  ackedPoints: number;
  ackedBatches: number;
  latencies: number[];
  errors: number;
}

function runAgent(client: grpc.Client, index: number, stats: Stats, stop: { done: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const call = (client as unknown as { connect(): Stream }).connect();
    const sentAt = new Map<bigint, number>();
    let sequence = 0n;
    // Synthetic time runs 10 s per step, so each batch covers STEPS collection intervals.
    let simTime = Date.now() - 86_400_000;
    const seriesIds = Array.from({ length: POINTS_PER_BATCH }, (_, i) => (i % SERIES) + 1);
    const offsets = Array.from({ length: POINTS_PER_BATCH }, (_, i) => Math.floor(i / SERIES) * 10_000);
    const send = () => {
      if (stop.done) return;
      sequence += 1n;
      const values = seriesIds.map((id, i) => Math.sin((Number(sequence) * STEPS + i / SERIES) / 50 + id) * 100 + 100);
      const batch = create(SampleBatchSchema, { sequence, baseTimeMs: BigInt(simTime), seriesIds, timeOffsetsMs: offsets, values });
      simTime += STEPS * 10_000;
      sentAt.set(sequence, performance.now());
      call.write(create(AgentMessageSchema, { kind: { case: 'batch', value: batch } }));
    };
    call.on('data', (m: HubMessage) => {
      if (m.kind.case === 'welcome') {
        const series = Array.from({ length: SERIES }, (_, i) =>
          create(SeriesDefinitionSchema, {
            id: i + 1,
            metric: `bench_metric_${i % 20}`,
            labels: [{ name: 'i', value: String(i) }],
            kind: MetricKind.GAUGE,
          }),
        );
        call.write(
          create(AgentMessageSchema, { kind: { case: 'dictionary', value: { $typeName: 'ballast.v1.SeriesDictionary', series } } }),
        );
        for (let i = 0; i < IN_FLIGHT; i++) send();
      } else if (m.kind.case === 'ack') {
        const t = sentAt.get(m.kind.value.sequence);
        sentAt.delete(m.kind.value.sequence);
        if (t !== undefined && stats.measuring) {
          stats.latencies.push(performance.now() - t);
          stats.ackedBatches += 1;
          stats.ackedPoints += POINTS_PER_BATCH;
        }
        if (stop.done && sentAt.size === 0) call.end();
        else send();
      } else if (m.kind.case === 'reject') {
        stats.errors += 1;
      }
    });
    call.on('error', () => {
      if (!stop.done) stats.errors += 1;
      resolve();
    });
    call.on('end', () => resolve());
    call.on('close', () => resolve());
    call.write(
      create(AgentMessageSchema, {
        kind: {
          case: 'hello',
          value: {
            $typeName: 'ballast.v1.Hello',
            tenant: '',
            cluster: 'bench',
            node: `bench-${index}`,
            instanceId: '',
            instanceType: 'm5.large',
            availabilityZone: 'us-east-1a',
            lifecycle: 2,
            agentVersion: 'bench',
            capabilities: [],
            epoch: BigInt(Date.now()) * 1000n + BigInt(index),
            enrolmentToken: '',
          },
        },
      }),
    );
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const dir = tempDir('bench-ingest');
  const hub = await startHub({ dataDir: dir.path, env: { BALLAST_FLUSH_INTERVAL_MS: '200' } });
  const stats: Stats = { measuring: false, ackedPoints: 0, ackedBatches: 0, latencies: [], errors: 0 };
  const stop = { done: false };
  const clients: grpc.Client[] = [];
  const runs: Promise<void>[] = [];
  try {
    for (let i = 0; i < AGENTS; i++) {
      if (i % PER_CHANNEL === 0)
        clients.push(new Client(hub.grpcAddress, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 }));
      runs.push(runAgent(clients[clients.length - 1] as grpc.Client, i, stats, stop));
    }
    await new Promise((r) => setTimeout(r, 3_000)); // warm-up: connections, dictionaries, first merges
    stats.measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    stats.measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    stop.done = true;
    await Promise.race([Promise.all(runs), new Promise((r) => setTimeout(r, 10_000))]);
    const sorted = stats.latencies.sort((a, b) => a - b);
    const result = {
      points_per_second: Math.round(stats.ackedPoints / elapsed),
      p95_ack_ms: Math.round(percentile(sorted, 95) * 10) / 10,
      p50_ack_ms: Math.round(percentile(sorted, 50) * 10) / 10,
      p99_ack_ms: Math.round(percentile(sorted, 99) * 10) / 10,
      agents: AGENTS,
      cpu_cores: cpus().length,
      series_per_agent: SERIES,
      points_per_batch: POINTS_PER_BATCH,
      batches_in_flight_per_agent: IN_FLIGHT,
      duration_s: Math.round(elapsed * 10) / 10,
      batches_acked: stats.ackedBatches,
      stream_errors: stats.errors,
      store: 'chdb',
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/ingest.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const c of clients) c.close();
    await hub.process.stop();
    dir.remove();
  }
}

await main();
