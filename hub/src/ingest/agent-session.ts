import type { Clock, Logger } from '@ballast/common';
import {
  type AgentMessage,
  type Command,
  EventKind,
  type Hello,
  type HubMessage,
  HubMessageSchema,
  Lifecycle,
  MetricKind,
  RejectReason,
  type SampleBatchColumns,
  type SeriesDictionary,
} from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import type { AdmitAgent } from '../auth/agent-admission.ts';
import type { EventRecord, MetricsStore, SampleBlock, SeriesRecord } from '../store/metrics-store.ts';
import type { AgentRegistry } from './agent-registry.ts';
import type { IngestPipeline } from './ingest-pipeline.ts';
import { ProtocolError } from './protocol-error.ts';
import type { SequenceLedger } from './sequence-ledger.ts';
import { globalSeriesId } from './series-id.ts';
import { SeriesIdTable } from './series-id-table.ts';
import type { SeriesWriter } from './series-writer.ts';

export interface SessionLimits {
  maxPointsPerBatch: number;
  maxSeriesPerAgent: number;
  collectIntervalMs: number;
  defaultTenant: string;
  hubVersion: string;
}

export interface SessionDeps {
  store: MetricsStore;
  pipeline: IngestPipeline;
  registry: AgentRegistry;
  /** Series dictionaries go through it so that many agents' dictionaries share an insert. */
  series: SeriesWriter;
  clock: Clock;
  log: Logger;
  limits: SessionLimits;
  /** Told of every event once it is stored (the pool scores learn interruptions from it); must not throw. */
  onEvent?: (event: EventRecord) => void;
  /** Checks the agent's enrolment token and names its tenant; absent: every agent is taken at its word. */
  admit?: AdmitAgent;
}

/** Sends to the agent on the other end; transport-specific (gRPC stream, NATS subject). */
export interface SessionOutput {
  send(message: HubMessage): void;
  /** Set by transports whose stream carries hub→agent commands (gRPC); the session offers it to the registry once bound. */
  sendCommand?(command: Command): void;
}

interface Bound {
  tenant: string;
  cluster: string;
  node: string;
  epoch: bigint;
  ledger: SequenceLedger;
}

const TWO_POW_32 = 2n ** 32n;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The hub's side of one agent stream. Messages are handled in arrival order; only the
 * storing of samples runs concurrently (in the ingest pipeline), so acks can be sent in
 * any order. Protocol violations throw {@link ProtocolError}: the transport closes that
 * one stream with the error and no other agent is affected. Batch-level problems
 * (unknown series, too many points) are answered with a Reject and the stream goes on.
 */
export class AgentSession {
  private bound: Bound | null = null;
  private detachCommands: (() => void) | null = null;
  private readonly series = new SeriesIdTable();
  private readonly log: Logger;

  constructor(
    private readonly deps: SessionDeps,
    private readonly out: SessionOutput,
    private readonly peer: string,
  ) {
    this.log = deps.log.child({ peer });
  }

  get identity(): Bound | null {
    return this.bound;
  }

  async handle(message: AgentMessage): Promise<void> {
    const kind = message.kind;
    if (kind.case === 'hello') return this.onHello(kind.value);
    if (!this.bound) throw new ProtocolError('INVALID_ARGUMENT', `the first message must be hello, got ${kind.case ?? 'an empty message'}`);
    this.deps.registry.seen(this.bound.tenant, this.bound.cluster, this.bound.node);
    switch (kind.case) {
      case 'dictionary':
        return this.onDictionary(this.bound, kind.value);
      case 'batch':
        return this.onBatch(this.bound, kind.value);
      case 'event': {
        const record = toEventRecord(this.bound, kind.value);
        await this.deps.store.insertEvents([record]);
        this.deps.onEvent?.(record);
        return;
      }
      case 'commandResult':
        this.log.info('command result', { commandId: kind.value.commandId, ok: kind.value.ok, message: kind.value.message });
        this.deps.registry.commandResult(this.bound, kind.value);
        return;
      default:
        throw new ProtocolError('INVALID_ARGUMENT', 'message has no known kind');
    }
  }

  /** A batch decoded by the transport's fast path (`decodeBatchMessage`); same rules as in {@link handle}. */
  async handleBatch(batch: SampleBatchColumns): Promise<void> {
    if (!this.bound) throw new ProtocolError('INVALID_ARGUMENT', 'the first message must be hello, got batch');
    this.deps.registry.seen(this.bound.tenant, this.bound.cluster, this.bound.node);
    return this.onBatch(this.bound, batch);
  }

  async close(): Promise<void> {
    this.detachCommands?.();
    this.detachCommands = null;
    if (!this.bound) return;
    await this.deps.registry.disconnected(this.bound.tenant, this.bound.cluster, this.bound.node);
  }

  private async onHello(hello: Hello): Promise<void> {
    if (this.bound) throw new ProtocolError('INVALID_ARGUMENT', 'hello was sent twice on one stream');
    if (!hello.node) throw new ProtocolError('INVALID_ARGUMENT', 'hello.node is empty');
    if (!hello.cluster) throw new ProtocolError('INVALID_ARGUMENT', 'hello.cluster is empty');
    if (hello.epoch === 0n) throw new ProtocolError('INVALID_ARGUMENT', 'hello.epoch is 0');
    const tenant = this.deps.admit
      ? (
          await this.deps.admit(
            { tenant: hello.tenant, cluster: hello.cluster, node: hello.node, enrolmentToken: hello.enrolmentToken },
            this.peer,
          )
        ).tenant
      : hello.tenant || this.deps.limits.defaultTenant;
    const id = { tenant, cluster: hello.cluster, node: hello.node, epoch: hello.epoch };
    const ledger = await this.deps.registry.ledger(id);
    this.bound = { ...id, ledger };
    const out = this.out;
    if (out.sendCommand) this.detachCommands = this.deps.registry.attachCommandChannel(id, (c) => out.sendCommand?.(c));
    await this.deps.registry.connected({
      tenant,
      cluster: hello.cluster,
      node: hello.node,
      instanceId: hello.instanceId,
      instanceType: hello.instanceType,
      availabilityZone: hello.availabilityZone,
      lifecycle: lifecycleName(hello.lifecycle),
      agentVersion: hello.agentVersion,
    });
    this.log.info('agent connected', { tenant, cluster: hello.cluster, node: hello.node, epoch: hello.epoch, watermark: ledger.watermark });
    this.out.send(
      create(HubMessageSchema, {
        kind: {
          case: 'welcome',
          value: {
            hubVersion: this.deps.limits.hubVersion,
            collectIntervalMs: this.deps.limits.collectIntervalMs,
            maxPointsPerBatch: this.deps.limits.maxPointsPerBatch,
            storedSequence: ledger.watermark,
          },
        },
      }),
    );
  }

  private async onDictionary(b: Bound, dict: SeriesDictionary): Promise<void> {
    const records: SeriesRecord[] = [];
    for (const def of dict.series) {
      if (!def.metric) throw new ProtocolError('INVALID_ARGUMENT', `series ${def.id} has no metric name`);
      if (!this.series.has(def.id) && this.series.size >= this.deps.limits.maxSeriesPerAgent) {
        throw new ProtocolError('RESOURCE_EXHAUSTED', `agent declared more than ${this.deps.limits.maxSeriesPerAgent} series`);
      }
      if (!METRIC_NAME.test(def.metric))
        throw new ProtocolError('INVALID_ARGUMENT', `series ${def.id}: "${def.metric}" is not a valid metric name`);
      const labels: Record<string, string> = {};
      for (const l of def.labels) {
        // Label names are restricted (as in Prometheus) so `name=value` encodings cannot collide.
        if (!LABEL_NAME.test(l.name))
          throw new ProtocolError('INVALID_ARGUMENT', `series ${def.id}: "${l.name}" is not a valid label name`);
        labels[l.name] = l.value;
      }
      const id = globalSeriesId(b.tenant, b.cluster, b.node, def.metric, labels);
      this.series.set(def.id, Number(id % TWO_POW_32), Number(id / TWO_POW_32));
      records.push({
        id,
        tenant: b.tenant,
        cluster: b.cluster,
        node: b.node,
        metric: def.metric,
        labels,
        kind: def.kind === MetricKind.COUNTER ? 'counter' : def.kind === MetricKind.GAUGE ? 'gauge' : 'unspecified',
        unit: def.unit,
      });
    }
    await this.deps.series.insert(records);
  }

  private async onBatch(b: Bound, batch: SampleBatchColumns): Promise<void> {
    const seq = batch.sequence;
    if (b.ledger.isDone(seq)) return this.ack(seq);
    const pending = b.ledger.pendingFor(seq);
    if (pending) {
      void pending.then(
        () => this.ack(seq),
        () => undefined,
      );
      return;
    }
    const block = this.toBlock(batch);
    if ('reason' in block) {
      const problem = block;
      this.log.warn('batch rejected', { node: b.node, sequence: seq, reason: RejectReason[problem.reason], message: problem.message });
      await this.deps.store.recordBatches([{ ...b, sequence: seq, points: 0, status: 'rejected' }]);
      b.ledger.markDone(seq);
      this.out.send(create(HubMessageSchema, { kind: { case: 'reject', value: { sequence: seq, ...problem } } }));
      return;
    }
    await this.deps.pipeline.waitForSpace();
    const work = this.deps.pipeline.submit(
      { tenant: b.tenant, cluster: b.cluster, block },
      { tenant: b.tenant, cluster: b.cluster, node: b.node, epoch: b.epoch, sequence: seq, points: block.length, status: 'stored' },
    );
    // Acks leave as inserts complete; the session reads on meanwhile so inserts coalesce.
    b.ledger.track(seq, work).then(
      () => this.ack(seq),
      (err) => this.log.warn('batch not stored; the agent will resend it', { sequence: seq, err }),
    );
  }

  /** The batch as store columns, or why it is rejected (checked in the same pass). */
  private toBlock(batch: SampleBatchColumns): SampleBlock | { reason: RejectReason; message: string } {
    const n = batch.seriesIds.length;
    if (n > this.deps.limits.maxPointsPerBatch) {
      return {
        reason: RejectReason.OVERSIZED_BATCH,
        message: `batch ${batch.sequence} has ${n} points; the limit is ${this.deps.limits.maxPointsPerBatch}`,
      };
    }
    if (batch.timeOffsetsMs.length !== n || batch.values.length !== n) {
      return {
        reason: RejectReason.INVALID_BATCH,
        message: `batch ${batch.sequence} columns differ in length: ${n} series ids, ${batch.timeOffsetsMs.length} times, ${batch.values.length} values`,
      };
    }
    const block: SampleBlock = {
      length: n,
      seriesLo: new Uint32Array(n),
      seriesHi: new Uint32Array(n),
      timestampsMs: new Float64Array(n),
      values: batch.values instanceof Float64Array ? batch.values : Float64Array.from(batch.values),
    };
    const base = Number(batch.baseTimeMs);
    for (let i = 0; i < n; i++) {
      const id = batch.seriesIds[i] as number;
      if (!this.series.fill(id, block, i)) {
        return {
          reason: RejectReason.UNKNOWN_SERIES,
          message: `batch ${batch.sequence} refers to series id ${id}, which no dictionary on this stream declared`,
        };
      }
      block.timestampsMs[i] = base + (batch.timeOffsetsMs[i] as number);
    }
    return block;
  }

  private ack(sequence: bigint): void {
    this.out.send(create(HubMessageSchema, { kind: { case: 'ack', value: { sequence } } }));
  }
}

function lifecycleName(l: Lifecycle): string {
  return l === Lifecycle.SPOT ? 'spot' : l === Lifecycle.ON_DEMAND ? 'on-demand' : 'unspecified';
}

function toEventRecord(
  b: Bound,
  e: { id: string; kind: EventKind; timeMs: bigint; deadlineMs: bigint; message: string; attributes: Record<string, string> },
): EventRecord {
  return {
    tenant: b.tenant,
    cluster: b.cluster,
    node: b.node,
    id: e.id,
    kind: (EventKind[e.kind] ?? 'UNSPECIFIED').toLowerCase(),
    timeMs: Number(e.timeMs),
    deadlineMs: Number(e.deadlineMs),
    message: e.message,
    attributes: e.attributes,
  };
}
