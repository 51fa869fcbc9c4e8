import { type Clock, exponentialBackoff, type Logger } from '@ballast/common';
import {
  AgentMessageSchema,
  type CommandResult,
  type Event,
  HelloSchema,
  HubMessageSchema,
  RejectReason,
  type SampleBatch,
  SeriesDictionarySchema,
} from '@ballast/proto';
import {
  AGENTS_BUCKET,
  agentKey,
  batchMsgId,
  commandSubject,
  dataSubject,
  eventMsgId,
  HEADER,
  NATS_STREAM,
  type NatsAgentId,
  SERIES_BUCKET,
  SERIES_CHUNK,
  seriesKey,
} from '@ballast/proto/nats-naming';
import { NatsTlsRefusedError, natsTlsRefusal } from '@ballast/proto/nats-tls-probe';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, headers, type MsgHdrs, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import { encodeAgentBatchMessage } from '../pipeline/sample-batch-codec.ts';
import type { Transport, TransportSession } from './transport.ts';

export interface NatsTransportOptions {
  /** nats://host:port (comma-separated for a cluster). */
  url: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Publishes awaiting their JetStream ack at once; bounds memory during a replay. */
  maxInFlight?: number;
  /** How long one publish waits for its JetStream ack. */
  publishTimeoutMs?: number;
  /** TLS (required when set) with these files: see natsTlsOptions; undefined: whatever the server offers. */
  tls?: TlsOptions;
}

/** KV entries expire after 7 days (the hub's bucket TTL); the agent rewrites its own daily so a long-lived epoch keeps them. */
const REFRESH_KV_MS = 24 * 3600 * 1000;

/** One link generation: lives from a successful setup until the first failure; then everything is replayed on a new one. */
class Link {
  dead = false;
  inFlight = 0;
  /** Series ids 1..kvSeries are in the KV bucket for this generation. */
  kvSeries = 0;
  kvWrittenMs = 0;
  chain: Promise<void> = Promise.resolve();
  private slotWaiters: Array<() => void> = [];
  private failWith!: (reason: string) => void;
  readonly failed = new Promise<string>((resolve) => {
    this.failWith = resolve;
  });

  constructor(
    readonly js: JetStreamClient,
    readonly series: KV,
    readonly agents: KV,
    private readonly maxInFlight: number,
  ) {}

  fail(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.failWith(reason);
    for (const w of this.slotWaiters.splice(0)) w();
  }

  async slot(): Promise<void> {
    while (this.inFlight >= this.maxInFlight && !this.dead) await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  release(): void {
    this.inFlight -= 1;
    this.slotWaiters.shift()?.();
  }
}

/**
 * The agent↔hub link over NATS JetStream. A batch counts as acked once JetStream acks its
 * publish: it is then durable in the stream, which keeps it until a hub has stored it (the
 * hub acks the stream message only after ClickHouse has it). Publishes carry a
 * `Nats-Msg-Id`, so a batch re-published after a lost ack is dropped by the stream within
 * its duplicate window, and by the hub's sequence ledger after it.
 *
 * The agent needs no JetStream admin rights: the hub creates the stream and the KV buckets;
 * until they exist the agent logs why and retries with backoff, keeping its buffer.
 */
export class NatsTransport implements Transport {
  readonly name = 'nats';
  private nc: NatsConnection | null = null;
  private session: TransportSession | null = null;
  private id: NatsAgentId = { tenant: '', cluster: '', node: '' };
  private epoch = 0n;
  private link: Link | null = null;
  private phase: 'down' | 'replaying' | 'live' = 'down';
  private held: SampleBatch[] = [];
  private up = false;
  private upWaiters: Array<() => void> = [];
  private stopped = false;
  private attempt = 0;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: NatsTransportOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.phase === 'live';
  }

  start(session: TransportSession): void {
    this.session = session;
    const hello = session.hello();
    this.id = { tenant: hello.tenant, cluster: hello.cluster, node: hello.node };
    this.epoch = hello.epoch;
    this.running = this.run();
  }

  /** The dictionary is read from the session when a batch needs it (see ensureDictionary). */
  sendDictionary(): void {}

  sendBatch(batch: SampleBatch): void {
    const link = this.link;
    if (!link || link.dead || this.phase === 'down') return; // it stays in the buffer and is replayed
    if (this.phase === 'replaying') {
      this.held.push(batch);
      return;
    }
    link.chain = link.chain.then(() => this.publishBatch(link, batch)).catch((err) => link.fail(describe(err)));
  }

  sendEvent(event: Event): void {
    const link = this.link;
    if (!link || link.dead) return;
    const bytes = toBinary(AgentMessageSchema, create(AgentMessageSchema, { kind: { case: 'event', value: event } }));
    link.js
      .publish(dataSubject(this.id), bytes, { msgID: eventMsgId(this.id, this.epoch, event.id), headers: this.headers(null) })
      .catch((err) => this.log.warn('event not published', { id: event.id, err: describe(err) }));
  }

  sendCommandResult(result: CommandResult): void {
    const link = this.link;
    if (!link || link.dead) return;
    const bytes = toBinary(AgentMessageSchema, create(AgentMessageSchema, { kind: { case: 'commandResult', value: result } }));
    link.js
      .publish(dataSubject(this.id), bytes, {
        msgID: eventMsgId(this.id, this.epoch, `result-${result.commandId}`),
        headers: this.headers(null),
      })
      .catch((err) => this.log.warn('command result not published', { id: result.commandId, err: describe(err) }));
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.link?.fail('shutting down');
    this.wake?.();
    for (const w of this.upWaiters.splice(0)) w();
    // A first connect to an unreachable server never settles; shutdown must not wait on it.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 1_000).unref())]);
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
  }

  /** Connect once (nats.js then reconnects by itself); each loop is one link generation. */
  private async run(): Promise<void> {
    while (!this.stopped) {
      let reason: string;
      try {
        const nc = await this.connection();
        if (!nc) return;
        reason = await this.serve(nc);
      } catch (err) {
        reason = describe(err);
      }
      this.link?.fail(reason);
      this.phase = 'down';
      this.held = [];
      if (this.stopped) return;
      this.session?.onDisconnect(reason);
      const delay = exponentialBackoff(this.attempt, this.options.reconnectMinMs, this.options.reconnectMaxMs);
      this.attempt += 1;
      this.log.warn(this.nc ? 'NATS link lost; retrying' : 'cannot connect to NATS; retrying', {
        reason,
        inMs: delay,
        attempt: this.attempt,
      });
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.clock.setTimeout(resolve, delay);
      });
      this.wake = null;
    }
  }

  private async connection(): Promise<NatsConnection | null> {
    if (!this.nc) {
      const servers = this.options.url.split(',');
      const tls = this.options.tls;
      if (tls) {
        const refused = await natsTlsRefusal(servers, tls);
        if (refused) throw new NatsTlsRefusedError(refused);
      }
      let reconnects = 0;
      const nc = await connect({
        servers,
        name: `ballast-agent ${this.id.node}`,
        tls,
        // A failed first connect throws, so run() logs why and retries with backoff (nats.js
        // would retry it silently); once connected, nats.js reconnects by itself, forever.
        waitOnFirstConnect: false,
        maxReconnectAttempts: -1,
        reconnectDelayHandler: () => exponentialBackoff(reconnects++, this.options.reconnectMinMs, this.options.reconnectMaxMs),
        pingInterval: 20_000,
      });
      if (this.stopped) {
        await nc.close();
        return null;
      }
      this.nc = nc;
      this.up = true;
      void this.watchStatus(nc, () => {
        reconnects = 0;
      });
      // nats.js re-subscribes after a reconnect by itself.
      nc.subscribe(commandSubject(this.id), { callback: (err, msg) => (err ? undefined : this.onCommand(msg.data)) });
    }
    while (!this.up && !this.stopped) await new Promise<void>((r) => this.upWaiters.push(r));
    return this.stopped ? null : this.nc;
  }

  private async watchStatus(nc: NatsConnection, onReconnect: () => void): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.up = false;
        this.link?.fail('disconnected from NATS');
      } else if (s.type === 'reconnect') {
        onReconnect();
        this.up = true;
        for (const w of this.upWaiters.splice(0)) w();
        this.wake?.();
      }
    }
  }

  /** Sets a link up, replays the buffer in order, then stays live until the link fails; returns why. */
  private async serve(nc: NatsConnection): Promise<string> {
    const session = this.session as TransportSession;
    const js = jetstream(nc, { timeout: this.options.publishTimeoutMs ?? 10_000 });
    const kvm = new Kvm(js);
    const series = await kvm.open(SERIES_BUCKET);
    const agents = await kvm.open(AGENTS_BUCKET);
    await this.checkProvisioned(js, series, agents);
    const link = new Link(js, series, agents, this.options.maxInFlight ?? 256);
    this.link = link;
    this.phase = 'replaying';
    this.held = [];
    await this.writeKv(link, true);

    let sent = 0;
    let last = 0n;
    for await (const batch of session.replay()) {
      if (link.dead) break;
      await this.publishBatch(link, batch);
      sent += 1;
      last = batch.sequence;
    }
    if (!link.dead) {
      for (const batch of this.held) {
        if (batch.sequence <= last) continue;
        await this.publishBatch(link, batch);
        sent += 1;
      }
      this.held = [];
      if (!link.dead) {
        this.phase = 'live';
        this.attempt = 0;
        this.log.info('connected to NATS', { url: this.options.url, replayed: sent });
      }
    }
    return link.failed;
  }

  /** Stream and buckets are the hub's to create; say clearly which is missing rather than nats.js's "jetstream is not enabled". */
  private async checkProvisioned(js: JetStreamClient, series: KV, agents: KV): Promise<void> {
    for (const [what, probe] of [
      [`stream ${NATS_STREAM}`, () => js.streams.get(NATS_STREAM)],
      [`KV bucket ${SERIES_BUCKET}`, () => series.status()],
      [`KV bucket ${AGENTS_BUCKET}`, () => agents.status()],
    ] as const) {
      try {
        await probe();
      } catch (err) {
        throw new Error(`JetStream ${what} is not available (${describe(err)}); a hub with BALLAST_NATS_URL creates it at start`);
      }
    }
  }

  /**
   * Hello and the series dictionary go to KV before any batch that needs them, so whichever
   * hub takes a batch can interpret it. `full` rewrites everything (a new link, or the daily refresh).
   */
  private async writeKv(link: Link, full: boolean): Promise<void> {
    const session = this.session as TransportSession;
    const defs = session.dictionary();
    if (full || this.clock.now() - link.kvWrittenMs > REFRESH_KV_MS) {
      await link.agents.put(agentKey(this.id), toBinary(HelloSchema, session.hello()));
      link.kvSeries = 0;
      link.kvWrittenMs = this.clock.now();
    }
    if (defs.length <= link.kvSeries) return;
    // Ids are dense (1..n in definition order), so chunk k holds defs[k*CHUNK, (k+1)*CHUNK).
    for (let chunk = Math.floor(link.kvSeries / SERIES_CHUNK); chunk * SERIES_CHUNK < defs.length; chunk++) {
      const value = create(SeriesDictionarySchema, { series: defs.slice(chunk * SERIES_CHUNK, (chunk + 1) * SERIES_CHUNK) });
      await link.series.put(seriesKey(this.id, this.epoch, chunk), toBinary(SeriesDictionarySchema, value));
    }
    link.kvSeries = defs.length;
  }

  /** Waits for KV and for a free publish slot, not for the ack: publishes go out in sequence order and acks come back as they come. */
  private async publishBatch(link: Link, batch: SampleBatch): Promise<void> {
    if (link.dead) return;
    await this.writeKv(link, false);
    await link.slot();
    if (link.dead) return;
    const session = this.session as TransportSession;
    const seq = batch.sequence;
    // The hand-written encoder: the same bytes as toBinary at a fraction of the cost (sample-batch-codec.ts).
    const bytes = encodeAgentBatchMessage(batch);
    link.inFlight += 1;
    link.js
      .publish(dataSubject(this.id), bytes, { msgID: batchMsgId(this.id, this.epoch, seq), headers: this.headers(seq) })
      // Acked even if this link has failed since: the stream has it either way.
      .then(
        () => session.onAck(seq),
        (err: Error) => {
          if (/max_payload/.test(err.message)) {
            session.onReject(seq, RejectReason.OVERSIZED_BATCH, `${bytes.length} bytes is above the NATS server's max_payload`);
          } else link.fail(`publish of batch ${seq} failed: ${describe(err)}`);
        },
      )
      .finally(() => link.release());
  }

  private headers(sequence: bigint | null): MsgHdrs {
    const h = headers();
    h.set(HEADER.tenant, this.id.tenant);
    h.set(HEADER.cluster, this.id.cluster);
    h.set(HEADER.node, this.id.node);
    h.set(HEADER.epoch, this.epoch.toString());
    if (sequence !== null) h.set(HEADER.sequence, sequence.toString());
    return h;
  }

  private onCommand(data: Uint8Array): void {
    try {
      const m = fromBinary(HubMessageSchema, data);
      if (m.kind.case === 'command') this.session?.onCommand(m.kind.value);
    } catch (err) {
      this.log.warn('malformed command message ignored', { bytes: data.length, err: describe(err) });
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
