import { exponentialBackoff, type Logger } from '@ballast/common';
import {
  type AgentMessage,
  type Command,
  decodeAgentMessage,
  decodeBatchMessage,
  HubMessageSchema,
  type SampleBatchColumns,
} from '@ballast/proto';
import { commandSubject, HEADER, NATS_STREAM, parseDataSubject, token } from '@ballast/proto/nats-naming';
import { NatsTlsRefusedError, natsTlsRefusal } from '@ballast/proto/nats-tls-probe';
import { create, toBinary } from '@bufbuild/protobuf';
import { type ConsumerMessages, type JsMsg, jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import type { SessionDeps } from './agent-session.ts';
import { type NatsAgentEpoch, NatsAgentSession, type NatsSessionDeps, type Settler } from './nats-agent-session.ts';
import { type NatsProvisionOptions, provisionNats } from './nats-provision.ts';

export interface NatsIngestOptions extends NatsProvisionOptions {
  url: string;
  /** Messages this hub pulls ahead of handling them. */
  pullBatch: number;
  /** TLS (required when set) with these files: see natsTlsOptions; undefined: whatever the server offers. */
  tls?: TlsOptions;
}

export interface NatsIngestStats {
  received: number;
  redelivered: number;
  acked: number;
  terminated: number;
  naked: number;
}

/** A session this long without messages is closed (the agent shows as disconnected on this hub). */
const IDLE_SESSION_MS = 60_000;

/**
 * Consumes the agents' stream with ONE durable pull consumer shared by every hub process,
 * so each message goes to one hub at a time. A message is acked only after its batch is
 * stored (the pipeline resolved), terminated when it can never be stored (recorded as a
 * rejected batch), and otherwise left un-acked — the store being down means JetStream
 * redelivers it later. While a message waits in this hub it is kept alive with
 * `working()`, so a slow store does not hand it to a second hub.
 */
export class NatsIngest {
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private readonly sessions = new Map<string, NatsAgentSession>();
  private readonly unsettled = new Set<JsMsg>();
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  /** Tenant as each agent names it (empty: the hub's default), by the tenant it is stored under; commands go to the former. */
  private readonly agentTenants = new Map<string, string>();
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  /** Consuming: the stream, buckets and consumer exist and messages are being pulled. */
  ready = false;
  /** Why this hub is not consuming (cannot connect, e.g. TLS refused; cannot set up JetStream); null once it is. */
  lastError: string | null = null;
  readonly stats: NatsIngestStats = { received: 0, redelivered: 0, acked: 0, terminated: 0, naked: 0 };

  constructor(
    private readonly deps: SessionDeps,
    private readonly options: NatsIngestOptions,
    private readonly log: Logger,
  ) {}

  /** Connects and provisions in the background (retrying with backoff), so the API serves meanwhile. */
  start(): void {
    this.running = this.run().catch((err) => this.log.error('NATS ingest stopped', { err }));
  }

  /** Stops pulling; messages already here still settle as their batches are stored. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ready = false;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.messages?.stop();
    // A first connect to an unreachable server never settles; shutdown must not wait on it.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  /** After the pipeline has flushed: hands back what is still un-acked at once (to another hub), closes sessions, disconnects. */
  async close(): Promise<void> {
    if (!this.stopped) await this.stop();
    for (const msg of [...this.unsettled]) this.settler.nak(msg, 0, 'hub is shutting down');
    for (const s of this.sessions.values()) await s.close().catch(() => undefined);
    this.sessions.clear();
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  /** Publishes a command to one agent on its core subject; false when this hub is not connected to NATS. */
  sendCommand(agent: { tenant: string; cluster: string; node: string }, command: Command): boolean {
    if (!this.nc || this.nc.isClosed()) return false;
    const tenant = this.agentTenants.get(keyOf(agent)) ?? agent.tenant;
    const bytes = toBinary(HubMessageSchema, create(HubMessageSchema, { kind: { case: 'command', value: command } }));
    this.nc.publish(commandSubject({ ...agent, tenant }), bytes);
    return true;
  }

  private readonly settler: Settler = {
    ack: (msg) => {
      if (!this.unsettled.delete(msg)) return;
      msg.ack();
      this.stats.acked += 1;
    },
    term: (msg, why) => {
      if (!this.unsettled.delete(msg)) return;
      // No reason argument: nats-server 2.9 does not parse "+TERM <reason>" and would redeliver the message.
      msg.term();
      this.stats.terminated += 1;
      this.log.warn('NATS message terminated: it can never be stored', { subject: msg.subject, streamSeq: msg.seq, why });
    },
    nak: (msg, delayMs, why) => {
      if (!this.unsettled.delete(msg)) return;
      msg.nak(delayMs);
      this.stats.naked += 1;
      if (!this.stopped) this.log.warn('NATS message handed back for redelivery', { subject: msg.subject, inMs: delayMs, why });
    },
  };

  private async run(): Promise<void> {
    const nc = await this.connectFirst();
    if (!nc) return;
    if (this.stopped) {
      await nc.close();
      return;
    }
    this.nc = nc;
    let sessionDeps: NatsSessionDeps | null = null;
    for (let attempt = 0; !sessionDeps && !this.stopped; attempt++) {
      try {
        const kv = await provisionNats(nc, this.options, this.log);
        sessionDeps = { ...this.deps, seriesKv: kv.series, agentsKv: kv.agents, settler: this.settler };
      } catch (err) {
        const inMs = exponentialBackoff(attempt, 500, 10_000);
        this.lastError = `cannot set up JetStream: ${describe(err)}`;
        this.log.warn('cannot set up JetStream; retrying', { url: this.options.url, inMs, err });
        await new Promise((r) => setTimeout(r, inMs));
      }
    }
    if (!sessionDeps) return;
    const beatMs = Math.max(500, Math.floor(this.options.ackWaitMs / 3));
    this.timers.push(
      setInterval(() => {
        for (const msg of this.unsettled) msg.working();
      }, beatMs),
      setInterval(() => this.closeIdleSessions(), IDLE_SESSION_MS / 2),
    );
    const js = jetstream(nc);
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const consumer = await js.consumers.get(NATS_STREAM, this.options.consumer);
        this.messages = await consumer.consume({ max_messages: this.options.pullBatch });
        if (this.stopped) this.messages.stop();
        this.ready = true;
        this.lastError = null;
        this.log.info('consuming from NATS', { url: this.options.url, stream: NATS_STREAM, consumer: this.options.consumer });
        for await (const msg of this.messages) this.dispatch(sessionDeps, msg);
      } catch (err) {
        if (this.stopped) break;
        this.log.warn('NATS consumer failed; retrying', { err });
      }
      this.ready = false;
      if (!this.stopped) await new Promise((r) => setTimeout(r, exponentialBackoff(attempt, 500, 10_000)));
    }
  }

  /**
   * The first connection, retried here with backoff until it succeeds or the ingest stops;
   * each failure is logged and kept in lastError. (nats.js would retry a first connect
   * silently, and reports a server refusing the hub's certificate only as a timeout, hence
   * the TLS probe.) Once connected, nats.js reconnects by itself, forever.
   */
  private async connectFirst(): Promise<NatsConnection | null> {
    const servers = this.options.url.split(',');
    const tls = this.options.tls;
    let reconnects = 0;
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const refused = tls ? await natsTlsRefusal(servers, tls) : null;
        if (refused) throw new NatsTlsRefusedError(refused);
        return await connect({
          servers,
          name: 'ballast-hub',
          tls,
          waitOnFirstConnect: false,
          maxReconnectAttempts: -1,
          reconnectDelayHandler: () => exponentialBackoff(reconnects++, 250, 5_000),
        });
      } catch (err) {
        const inMs = exponentialBackoff(attempt, 500, 10_000);
        this.lastError = `cannot connect to NATS: ${describe(err)}`;
        this.log.warn('cannot connect to NATS; retrying', { url: this.options.url, inMs, err });
        await new Promise((r) => setTimeout(r, inMs));
      }
    }
    return null;
  }

  private dispatch(deps: NatsSessionDeps, msg: JsMsg): void {
    this.stats.received += 1;
    if (msg.info.deliveryCount > 1) this.stats.redelivered += 1;
    this.unsettled.add(msg);
    const routed = route(msg);
    if (typeof routed === 'string') {
      // Nothing identifies an agent, so there is no batch to record: the log line is the record.
      this.settler.term(msg, routed);
      return;
    }
    const { id, sequence } = routed;
    let message: AgentMessage | SampleBatchColumns | null = null;
    let problem: string | null = null;
    try {
      // Batches, nearly all traffic, skip protobuf-es (as on gRPC); anything unusual takes the full decoder.
      message = decodeBatchMessage(msg.data) ?? decodeAgentMessage(msg.data);
    } catch (err) {
      problem = `malformed AgentMessage (${msg.data.length} bytes): ${(err as Error).message}`;
    }
    const key = `${keyOf(id)}\0${id.epoch}`;
    let session = this.sessions.get(key);
    if (!session || session.broken) {
      session = new NatsAgentSession(deps, id);
      this.sessions.set(key, session);
      this.agentTenants.set(keyOf({ ...id, tenant: id.tenant || this.deps.limits.defaultTenant }), id.tenant);
    }
    session.enqueue(msg, message, sequence, problem);
  }

  private closeIdleSessions(): void {
    const now = this.deps.clock.now();
    for (const [key, s] of this.sessions) {
      if (!s.idle || now - s.lastActivityMs < IDLE_SESSION_MS) continue;
      this.sessions.delete(key);
      s.close().catch((err) => this.log.warn('cannot record agent disconnect', { err }));
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function keyOf(a: { tenant: string; cluster: string; node: string }): string {
  return `${a.tenant}\0${a.cluster}\0${a.node}`;
}

/**
 * The agent identity from the headers, checked against the subject: NATS permissions can
 * pin an agent to its own subject, so the subject is what a hub may trust.
 */
function route(msg: JsMsg): { id: NatsAgentEpoch; sequence: bigint | null } | string {
  const subject = parseDataSubject(msg.subject);
  if (!subject) return `subject ${msg.subject} is not ballast.<tenant>.<cluster>.<node>.data`;
  const h = msg.headers;
  if (!h) return 'message has no Ballast-* headers';
  const tenant = h.get(HEADER.tenant);
  const cluster = h.get(HEADER.cluster);
  const node = h.get(HEADER.node);
  if (token(tenant) !== subject.tenant || token(cluster) !== subject.cluster || token(node) !== subject.node || !cluster || !node)
    return `headers (${tenant}/${cluster}/${node}) do not match subject ${msg.subject}`;
  const epoch = h.get(HEADER.epoch);
  if (!/^[1-9]\d{0,19}$/.test(epoch)) return `${HEADER.epoch} "${epoch}" is not a positive integer`;
  const seq = h.get(HEADER.sequence);
  if (seq !== '' && !/^[1-9]\d{0,19}$/.test(seq)) return `${HEADER.sequence} "${seq}" is not a positive integer`;
  return { id: { tenant, cluster, node, epoch: BigInt(epoch) }, sequence: seq === '' ? null : BigInt(seq) };
}
