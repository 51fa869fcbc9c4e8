import {
  type AgentMessage,
  AgentMessageSchema,
  agentGatewayDefinition,
  type HubMessage,
  MetricKind,
  RejectReason,
  SampleBatchSchema,
} from '@ballast/proto';
import { type AgentHandle, type HubHandle, startAgent, startHub, tempDir, waitFor } from '@ballast/testkit';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const Client = grpc.makeGenericClientConstructor(agentGatewayDefinition, 'AgentGateway');

/** A hand-driven agent stream that records what the hub answers. */
class RawStream {
  readonly received: HubMessage[] = [];
  error: grpc.ServiceError | null = null;
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<AgentMessage | Uint8Array, HubMessage>;

  constructor(address: string) {
    this.client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
    this.call = (this.client as unknown as { connect(): grpc.ClientDuplexStream<AgentMessage | Uint8Array, HubMessage> }).connect();
    this.call.on('data', (m: HubMessage) => this.received.push(m));
    this.call.on('error', (e: grpc.ServiceError) => {
      this.error = e;
    });
  }

  send(kind: AgentMessage['kind']): void {
    this.call.write(create(AgentMessageSchema, { kind }));
  }

  sendBytes(bytes: Uint8Array): void {
    this.call.write(bytes);
  }

  hello(node: string): void {
    this.send({
      case: 'hello',
      value: {
        $typeName: 'ballast.v1.Hello',
        tenant: '',
        cluster: 'raw',
        node,
        instanceId: '',
        instanceType: '',
        availabilityZone: '',
        lifecycle: 0,
        agentVersion: 'test',
        capabilities: [],
        epoch: 42n,
        enrolmentToken: '',
      },
    });
  }

  batch(sequence: bigint, seriesIds: number[]): void {
    const value = create(SampleBatchSchema, {
      sequence,
      baseTimeMs: BigInt(Date.now()),
      seriesIds,
      timeOffsetsMs: seriesIds.map((_, i) => i),
      values: seriesIds.map(() => 7.5),
    });
    this.send({ case: 'batch', value });
  }

  of<K extends HubMessage['kind']['case']>(kind: K): Array<Extract<HubMessage['kind'], { case: K }>['value']> {
    return this.received.filter((m) => m.kind.case === kind).map((m) => m.kind.value) as never;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

describe('gateway errors reach only the agent that caused them', () => {
  const dir = tempDir('gateway');
  let hub: HubHandle;
  let agent: AgentHandle;
  const acked = async () => (await agent.metrics()).ballast_agent_batches_acked_total ?? 0;

  beforeAll(async () => {
    hub = await startHub({ dataDir: dir.path, env: { BALLAST_MAX_POINTS_PER_BATCH: '1000', BALLAST_MAX_MESSAGE_BYTES: '65536' } });
    agent = await startAgent({ hubAddress: hub.grpcAddress, intervalMs: 200 });
    await waitFor('agent streaming', async () => (await acked()) >= 2);
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.process.stop();
    dir.remove();
  });

  async function agentStillStreams(): Promise<void> {
    const before = await acked();
    await waitFor('the real agent to keep getting acks', async () => (await acked()) >= before + 3);
  }

  it('closes a stream that sends a malformed message with INVALID_ARGUMENT', async () => {
    const raw = new RawStream(hub.grpcAddress);
    // Field 1, length-delimited, claims 127 bytes but ends: not a valid AgentMessage.
    raw.sendBytes(new Uint8Array([0x0a, 0x7f, 0x01]));
    const err = await waitFor('stream error', () => raw.error ?? undefined);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/malformed AgentMessage/);
    raw.close();
    await agentStillStreams();
  });

  it('requires hello first', async () => {
    const raw = new RawStream(hub.grpcAddress);
    raw.batch(1n, [1]);
    const err = await waitFor('stream error', () => raw.error ?? undefined);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/first message must be hello/);
    raw.close();
  });

  it('rejects an unknown series id and an oversized batch, and the stream goes on', async () => {
    const raw = new RawStream(hub.grpcAddress);
    raw.hello('raw-node');
    await waitFor('welcome', () => raw.of('welcome').length === 1);
    raw.send({
      case: 'dictionary',
      value: {
        $typeName: 'ballast.v1.SeriesDictionary',
        series: [{ $typeName: 'ballast.v1.SeriesDefinition', id: 1, metric: 'raw_metric', labels: [], kind: MetricKind.GAUGE, unit: '' }],
      },
    });
    raw.batch(1n, [1, 99]);
    raw.batch(2n, new Array(1001).fill(1));
    raw.batch(3n, [1]);
    await waitFor(
      'answers',
      () => raw.of('reject').length === 2 && raw.of('ack').length === 1,
      10_000,
      () => hub.process.tail(),
    );

    const [unknown, oversized] = raw.of('reject');
    expect(unknown).toMatchObject({ sequence: 1n, reason: RejectReason.UNKNOWN_SERIES });
    expect(unknown?.message).toMatch(/series id 99/);
    expect(oversized).toMatchObject({ sequence: 2n, reason: RejectReason.OVERSIZED_BATCH });
    expect(oversized?.message).toMatch(/1001 points; the limit is 1000/);
    expect(raw.of('ack').map((a) => a.sequence)).toEqual([3n]);
    expect(raw.error).toBeNull();

    // The accepted point is stored; the rejected ones are not.
    const res = await hub.api(
      `/api/v1/metrics/query?metric=raw_metric&match[node]=raw-node&start=${Math.floor(Date.now() / 1000) - 60}&step=1s&agg=sum`,
    );
    const body = (await res.json()) as { series: Array<{ points: Array<[number, number]> }> };
    expect(body.series).toHaveLength(1);
    expect(body.series[0]?.points.reduce((s, [, v]) => s + v, 0)).toBe(7.5);
    raw.close();
    await agentStillStreams();
  });

  it('closes a stream whose dictionary has an invalid label name', async () => {
    const raw = new RawStream(hub.grpcAddress);
    raw.hello('raw-node-labels');
    await waitFor('welcome', () => raw.of('welcome').length === 1);
    raw.send({
      case: 'dictionary',
      value: {
        $typeName: 'ballast.v1.SeriesDictionary',
        series: [
          {
            $typeName: 'ballast.v1.SeriesDefinition',
            id: 1,
            metric: 'm',
            labels: [{ $typeName: 'ballast.v1.Label', name: 'a=b', value: 'c' }],
            kind: MetricKind.GAUGE,
            unit: '',
          },
        ],
      },
    });
    const err = await waitFor('stream error', () => raw.error ?? undefined);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/"a=b" is not a valid label name/);
    raw.close();
  });

  it('ends a stream whose message exceeds the size limit with RESOURCE_EXHAUSTED', async () => {
    const raw = new RawStream(hub.grpcAddress);
    raw.hello('raw-node-big');
    await waitFor('welcome', () => raw.of('welcome').length === 1);
    raw.batch(1n, new Array(20_000).fill(1));
    const err = await waitFor('stream error', () => raw.error ?? undefined);
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/larger than max/i);
    raw.close();
    await agentStillStreams();
  });

  it('acks a re-sent sequence without storing it again', async () => {
    const raw = new RawStream(hub.grpcAddress);
    raw.hello('raw-node-dup');
    await waitFor('welcome', () => raw.of('welcome').length === 1);
    raw.send({
      case: 'dictionary',
      value: {
        $typeName: 'ballast.v1.SeriesDictionary',
        series: [{ $typeName: 'ballast.v1.SeriesDefinition', id: 1, metric: 'dup_metric', labels: [], kind: MetricKind.GAUGE, unit: '' }],
      },
    });
    raw.batch(1n, [1]);
    await waitFor('ack', () => raw.of('ack').length === 1);
    raw.batch(1n, [1]);
    await waitFor('second ack', () => raw.of('ack').length === 2);
    const res = await hub.api(`/api/v1/metrics/query?metric=dup_metric&start=${Math.floor(Date.now() / 1000) - 60}&step=3600s&agg=sum`);
    const body = (await res.json()) as { series: Array<{ points: Array<[number, number]> }> };
    expect(body.series[0]?.points.map(([, v]) => v)).toEqual([7.5]);
    raw.close();
  });
});
