/**
 * Simulated agents for bench/ingest.ts and bench/store.ts, factored so the
 * ingest phase can run several agent counts against fresh hubs. Each agent opens one
 * bidirectional stream, sends Hello and its series dictionary, then keeps `inFlight` batches
 * of `series` x `steps` points outstanding; a batch counts when the hub acks it (the hub
 * acks after the points are stored).
 */
import {
  type AgentMessage,
  AgentMessageSchema,
  agentGatewayDefinition,
  type HubMessage,
  MetricKind,
  type SampleBatch,
  SeriesDefinitionSchema,
} from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { encodeAgentBatchMessage } from '../agent/src/pipeline/sample-batch-codec.ts';

export interface AgentLoadOptions {
  address: string;
  agents: number;
  series: number;
  steps: number;
  inFlight: number;
  agentsPerChannel: number;
}

export interface AgentStats {
  measuring: boolean;
  ackedPoints: number;
  ackedBatches: number;
  latencies: number[];
  errors: number;
  /** Agents that received their welcome (streams up). */
  welcomed: number;
  /** Acks received, measuring or not (warm-up waits for these). */
  acksSeen: number;
}

type Stream = grpc.ClientDuplexStream<AgentMessage, HubMessage>;
const Client = grpc.makeGenericClientConstructor(agentGatewayDefinition, 'AgentGateway');

function runAgent(client: grpc.Client, index: number, o: AgentLoadOptions, stats: AgentStats, stop: { done: boolean }): Promise<void> {
  const pointsPerBatch = o.series * o.steps;
  return new Promise((resolve) => {
    const call = (client as unknown as { connect(): Stream }).connect();
    const sentAt = new Map<bigint, number>();
    let sequence = 0n;
    // Synthetic time runs 10 s per step, so each batch covers `steps` collection intervals.
    let simTime = Date.now() - 86_400_000;
    const seriesIds = Array.from({ length: pointsPerBatch }, (_, i) => (i % o.series) + 1);
    const offsets = Array.from({ length: pointsPerBatch }, (_, i) => Math.floor(i / o.series) * 10_000);
    const values = new Float64Array(pointsPerBatch);
    const send = () => {
      if (stop.done) return;
      sequence += 1n;
      for (let i = 0; i < pointsPerBatch; i++) {
        values[i] = Math.sin((Number(sequence) * o.steps + i / o.series) / 50 + (seriesIds[i] as number)) * 100 + 100;
      }
      // The agent's own hand encoder (byte-identical to protobuf-es, see its test): the load
      // generator shares the hub's 2 cores, so it must cost as little as a real agent does.
      const batch = { sequence, baseTimeMs: BigInt(simTime), seriesIds, timeOffsetsMs: offsets, values } as unknown as SampleBatch;
      simTime += o.steps * 10_000;
      sentAt.set(sequence, performance.now());
      call.write(encodeAgentBatchMessage(batch) as unknown as AgentMessage);
    };
    call.on('data', (m: HubMessage) => {
      if (m.kind.case === 'welcome') {
        stats.welcomed += 1;
        const series = Array.from({ length: o.series }, (_, i) =>
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
        for (let i = 0; i < o.inFlight; i++) send();
      } else if (m.kind.case === 'ack') {
        const t = sentAt.get(m.kind.value.sequence);
        sentAt.delete(m.kind.value.sequence);
        stats.acksSeen += 1;
        if (t !== undefined && stats.measuring) {
          stats.latencies.push(performance.now() - t);
          stats.ackedBatches += 1;
          stats.ackedPoints += pointsPerBatch;
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

/** Starts the agents; `stop()` ends them (waiting at most `graceMs` for in-flight acks). */
export function startAgents(o: AgentLoadOptions): { stats: AgentStats; stop: (graceMs?: number) => Promise<void> } {
  const stats: AgentStats = { measuring: false, ackedPoints: 0, ackedBatches: 0, latencies: [], errors: 0, welcomed: 0, acksSeen: 0 };
  const flag = { done: false };
  const clients: grpc.Client[] = [];
  const runs: Promise<void>[] = [];
  for (let i = 0; i < o.agents; i++) {
    if (i % o.agentsPerChannel === 0)
      // A distinct channel option keeps grpc-js from sharing one subchannel between clients.
      clients.push(
        new Client(o.address, grpc.credentials.createInsecure(), {
          'grpc.max_send_message_length': -1,
          'grpc.max_receive_message_length': -1,
          'bench.channel': clients.length,
        }),
      );
    runs.push(runAgent(clients[clients.length - 1] as grpc.Client, i, o, stats, flag));
  }
  return {
    stats,
    stop: async (graceMs = 10_000) => {
      flag.done = true;
      await Promise.race([Promise.all(runs), new Promise((r) => setTimeout(r, graceMs))]);
      for (const c of clients) c.close();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
