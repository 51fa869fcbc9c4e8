import {
  type AgentMessage,
  AgentMessageSchema,
  type Hello,
  HelloSchema,
  type HubMessage,
  type SampleBatchColumns,
  SeriesDictionarySchema,
} from '@ballast/proto';
import { agentKey, SERIES_CHUNK, seriesKey } from '@ballast/proto/nats-naming';
import { create, fromBinary } from '@bufbuild/protobuf';
import type { JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { AgentSession, type SessionDeps } from './agent-session.ts';
import { ProtocolError } from './protocol-error.ts';

/** Identity of one agent epoch as its messages' headers give it (tenant as the agent names it). */
export interface NatsAgentEpoch {
  tenant: string;
  cluster: string;
  node: string;
  epoch: bigint;
}

/** How a message is settled with JetStream; the ingest keeps count and stops heartbeating it. */
export interface Settler {
  ack(msg: JsMsg): void;
  /** Never redelivered: the message can never be stored. */
  term(msg: JsMsg, why: string): void;
  /** Redelivered after `delayMs`: it could not be handled now (store or KV unavailable). */
  nak(msg: JsMsg, delayMs: number, why: string): void;
}

export interface NatsSessionDeps extends SessionDeps {
  seriesKv: KV;
  agentsKv: KV;
  settler: Settler;
}

/** Retry delay of a message that failed for a passing reason (store down, KV unreachable). */
const RETRY_MS = 2_000;
/** Batches handled before the ledger is reconciled with the store, when other hubs fill its gaps. */
const RECONCILE_EVERY = 512;

/**
 * The hub's side of one agent epoch on NATS. It feeds the same {@link AgentSession} as a
 * gRPC stream — a hello from the `ballast_agents` KV, the dictionary from `ballast_series`,
 * then the batches — so validation, dedupe by (agent, epoch, sequence) and storing are one
 * code path for both transports. The session's Ack and Reject, which gRPC sends to the
 * agent, settle the JetStream message here: ack once stored, term once rejected.
 */
export class NatsAgentSession {
  private readonly session: AgentSession;
  private readonly awaiting = new Map<bigint, JsMsg[]>();
  private readonly knownIds = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private handled = 0;
  private watermarkAtReconcile = 0n;
  /** A dictionary broke the protocol; the ingest replaces this session, whose tables may be half-filled. */
  broken = false;
  lastActivityMs: number;
  /** Why this agent may not send (enrolment), once the hub decided it. */
  private refusal: ProtocolError | null = null;

  constructor(
    private readonly deps: NatsSessionDeps,
    readonly id: NatsAgentEpoch,
  ) {
    this.session = new AgentSession(deps, { send: (m) => this.onHubMessage(m) }, `nats:${id.node}`);
    this.lastActivityMs = deps.clock.now();
  }

  get idle(): boolean {
    return this.queued === 0 && this.awaiting.size === 0;
  }

  /**
   * Handles messages of this epoch one at a time, in delivery order; storing runs concurrently
   * in the pipeline. A batch the transport decoded on the fast path (`decodeBatchMessage`)
   * comes as its columns, anything else as the protobuf-es message.
   */
  enqueue(msg: JsMsg, message: AgentMessage | SampleBatchColumns | null, sequence: bigint | null, problem: string | null): void {
    this.queued += 1;
    this.lastActivityMs = this.deps.clock.now();
    this.chain = this.chain
      .then(() => this.process(msg, message, sequence, problem))
      .finally(() => {
        this.queued -= 1;
      });
  }

  async close(): Promise<void> {
    await this.chain;
    await this.session.close();
  }

  private async process(
    msg: JsMsg,
    message: AgentMessage | SampleBatchColumns | null,
    sequence: bigint | null,
    problem: string | null,
  ): Promise<void> {
    try {
      await this.open();
      if (problem || !message) return await this.reject(msg, sequence, problem ?? 'empty message');
      if (!('kind' in message)) return await this.onBatch(msg, message, sequence);
      const kind = message.kind;
      if (kind.case === 'batch') return await this.onBatch(msg, kind.value, sequence);
      if (kind.case === 'event' || kind.case === 'commandResult') {
        await this.session.handle(message);
        this.deps.settler.ack(msg);
        return;
      }
      await this.reject(msg, sequence, `a ${kind.case ?? 'kindless'} message does not belong on the data stream`);
    } catch (err) {
      this.forget(msg, sequence);
      if (err instanceof ProtocolError) await this.reject(msg, sequence, err.message);
      else this.deps.settler.nak(msg, RETRY_MS, err instanceof Error ? err.message : String(err));
    }
  }

  private async onBatch(msg: JsMsg, batch: SampleBatchColumns, sequence: bigint | null): Promise<void> {
    if (sequence !== batch.sequence)
      return this.reject(msg, sequence, `header sequence ${sequence} differs from the batch's ${batch.sequence}`);
    await this.resolveSeries(batch);
    const bound = this.session.identity;
    if (bound && msg.info.deliveryCount > 1 && !bound.ledger.isDone(sequence) && !bound.ledger.pendingFor(sequence)) {
      // Redelivered: another hub (sharing the store) may have stored it and died before acking.
      const p = await this.deps.store.sequenceProgress(bound.tenant, bound.cluster, bound.node, bound.epoch);
      if (sequence <= p.contiguous || p.above.includes(sequence)) bound.ledger.markDone(sequence);
    }
    const list = this.awaiting.get(sequence) ?? [];
    list.push(msg);
    this.awaiting.set(sequence, list);
    await this.session.handleBatch(batch);
    await this.reconcile();
  }

  /** Feeds the session every series the batch names that it does not know yet, from KV (the agent writes it before publishing). */
  private async resolveSeries(batch: SampleBatchColumns): Promise<void> {
    const chunks = new Set<number>();
    const ids = batch.seriesIds;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id > 0 && !this.knownIds.has(id)) chunks.add(Math.floor((id - 1) / SERIES_CHUNK));
    }
    for (const chunk of chunks) {
      const entry = await this.deps.seriesKv.get(seriesKey(this.id, this.id.epoch, chunk));
      if (entry?.operation !== 'PUT') continue; // the session rejects the batch: unknown series
      let series: ReturnType<typeof fromBinary<typeof SeriesDictionarySchema>>['series'];
      try {
        series = fromBinary(SeriesDictionarySchema, entry.value).series;
      } catch (err) {
        throw new ProtocolError('INVALID_ARGUMENT', `series dictionary ${entry.key} is malformed: ${(err as Error).message}`);
      }
      const fresh = series.filter((d) => !this.knownIds.has(d.id));
      if (fresh.length === 0) continue;
      try {
        await this.session.handle(create(AgentMessageSchema, { kind: { case: 'dictionary', value: { series: fresh } } }));
      } catch (err) {
        if (err instanceof ProtocolError) this.broken = true;
        throw err;
      }
      for (const d of fresh) this.knownIds.add(d.id);
    }
  }

  /** Binds the session: hello from the agents KV (instance details for the nodes list), else from the headers alone. */
  private async open(): Promise<void> {
    if (this.session.identity) return;
    // Refused once (and audited once): every later message of this epoch is refused the same way.
    if (this.refusal) throw this.refusal;
    let hello: Hello | null = null;
    try {
      const entry = await this.deps.agentsKv.get(agentKey(this.id));
      if (entry?.operation === 'PUT') hello = fromBinary(HelloSchema, entry.value);
    } catch {
      // Absent or unreadable: the headers identify the agent well enough to store its batches.
    }
    const { tenant, cluster, node, epoch } = this.id;
    const base = hello && hello.tenant === tenant && hello.cluster === cluster && hello.node === node ? hello : create(HelloSchema, {});
    // The KV holds the latest epoch's hello; a backlog of an older epoch keeps its own epoch.
    try {
      await this.session.handle(create(AgentMessageSchema, { kind: { case: 'hello', value: { ...base, tenant, cluster, node, epoch } } }));
    } catch (err) {
      if (err instanceof ProtocolError && (err.code === 'UNAUTHENTICATED' || err.code === 'PERMISSION_DENIED')) {
        this.refusal = err;
        this.deps.log.warn('agent refused: its messages are dropped, not stored', { tenant, cluster, node, reason: err.message });
      }
      throw err;
    }
  }

  /** A message that can never be stored: recorded as a rejected batch when it names one, then terminated. */
  private async reject(msg: JsMsg, sequence: bigint | null, why: string): Promise<void> {
    const bound = this.session.identity;
    if (bound && sequence !== null && sequence > 0n && !bound.ledger.isDone(sequence)) {
      try {
        await this.deps.store.recordBatches([{ ...bound, sequence, points: 0, status: 'rejected' }]);
        bound.ledger.markDone(sequence);
      } catch (err) {
        this.deps.log.warn('cannot record a rejected batch', { node: bound.node, sequence, err });
      }
    }
    this.deps.settler.term(msg, why);
  }

  private onHubMessage(m: HubMessage): void {
    if (m.kind.case !== 'ack' && m.kind.case !== 'reject') return; // welcome: nothing to tell a NATS agent
    const seq = m.kind.value.sequence;
    const msgs = this.awaiting.get(seq);
    if (!msgs) return;
    this.awaiting.delete(seq);
    for (const msg of msgs) {
      if (m.kind.case === 'ack') this.deps.settler.ack(msg);
      else this.deps.settler.term(msg, m.kind.value.message);
    }
  }

  private forget(msg: JsMsg, sequence: bigint | null): void {
    if (sequence === null) return;
    const rest = (this.awaiting.get(sequence) ?? []).filter((m) => m !== msg);
    if (rest.length > 0) this.awaiting.set(sequence, rest);
    else this.awaiting.delete(sequence);
  }

  /**
   * With several hubs each sees part of an agent's sequences, so this hub's ledger keeps
   * every one it stored above the first gap. Reading the (shared) store's progress now and
   * then lets it compact; with one hub the watermark keeps up and this never queries.
   */
  private async reconcile(): Promise<void> {
    const bound = this.session.identity;
    if (!bound || ++this.handled < RECONCILE_EVERY) return;
    this.handled = 0;
    const advanced = bound.ledger.watermark - this.watermarkAtReconcile;
    this.watermarkAtReconcile = bound.ledger.watermark;
    if (advanced >= BigInt(RECONCILE_EVERY / 2)) return;
    try {
      const p = await this.deps.store.sequenceProgress(bound.tenant, bound.cluster, bound.node, bound.epoch);
      for (let s = bound.ledger.watermark + 1n; s <= p.contiguous; s++) bound.ledger.markDone(s);
      for (const s of p.above) bound.ledger.markDone(s);
    } catch (err) {
      this.deps.log.warn('cannot reconcile the sequence ledger with the store', { node: bound.node, err });
    }
  }
}
