import { type Clock, exponentialBackoff, type Logger } from '@ballast/common';
import {
  AGENT_GATEWAY_CONNECT_PATH,
  type AgentMessage,
  AgentMessageSchema,
  type CommandResult,
  type Event,
  type HubMessage,
  HubMessageSchema,
  type SampleBatch,
  type SeriesDefinition,
  SeriesDictionarySchema,
} from '@ballast/proto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { encodeAgentBatchMessage } from '../pipeline/sample-batch-codec.ts';
import type { GrpcTls } from './grpc-tls.ts';
import type { Transport, TransportSession } from './transport.ts';

export interface GrpcTransportOptions {
  /** host:port of the hub's gRPC listener. */
  address: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** TLS to the hub (read at start by grpcTlsFromConfig); absent: plaintext. */
  tls?: GrpcTls;
}

/**
 * AgentGateway.Connect as the agent calls it: every AgentMessage is encoded before it is
 * written, so the request serializer passes bytes through. A batch (most of what the agent
 * sends) is encoded by the hand-written encoder, ~0.3 ms and one buffer for a 110-pod cycle
 * where protobuf-es' toBinary took 5–10 ms and 1–2 MB of garbage; the rest is rare and small.
 */
const agentConnectDefinition = {
  connect: {
    path: AGENT_GATEWAY_CONNECT_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: (bytes: Buffer): Buffer => bytes,
    requestDeserialize: (bytes: Buffer): Buffer => bytes,
    responseSerialize: (m: HubMessage): Buffer => asBuffer(toBinary(HubMessageSchema, m)),
    responseDeserialize: (bytes: Buffer): HubMessage => fromBinary(HubMessageSchema, bytes),
  },
} satisfies grpc.ServiceDefinition;

const GatewayClient = grpc.makeGenericClientConstructor(agentConnectDefinition, 'AgentGateway');
type Stream = grpc.ClientDuplexStream<Buffer, HubMessage>;

/** An AgentMessage's protobuf bytes as a Buffer over the same memory (grpc-js frames Buffers). */
function encodeMessage(kind: AgentMessage['kind']): Buffer {
  if (kind.case === 'batch') return encodeAgentBatchMessage(kind.value);
  return asBuffer(toBinary(AgentMessageSchema, create(AgentMessageSchema, { kind })));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** AgentGateway.Connect over gRPC (the default transport). */
export class GrpcTransport implements Transport {
  readonly name = 'grpc';
  private client: grpc.Client | null = null;
  private stream: Stream | null = null;
  private session: TransportSession | null = null;
  private attempt = 0;
  /**
   * hello: waiting for Welcome, nothing but the preamble goes out. replaying: the dictionary
   * and events flow, new batches are held back while the store replays in order. live.
   */
  private phase: 'hello' | 'replaying' | 'live' = 'hello';
  /** Batches made during the replay, sent after it unless it already covered them. */
  private held: SampleBatch[] = [];
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly options: GrpcTransportOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.stream !== null && this.phase === 'live';
  }

  start(session: TransportSession): void {
    this.session = session;
    const tls = this.options.tls;
    const credentials = tls ? grpc.credentials.createSsl(tls.ca, tls.key, tls.cert) : grpc.credentials.createInsecure();
    this.client = new GatewayClient(this.options.address, credentials, {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.max_send_message_length': -1,
      // The channel keeps its own reconnect backoff (up to 120 s by default) beneath ours: after a
      // long hub outage it would keep the agent away for minutes after the hub is back.
      'grpc.initial_reconnect_backoff_ms': this.options.reconnectMinMs,
      'grpc.max_reconnect_backoff_ms': this.options.reconnectMaxMs,
      // Channelz keeps per-channel and per-call statistics for a debugging service the agent never serves.
      'grpc.enable_channelz': 0,
    });
    this.open();
  }

  sendDictionary(series: SeriesDefinition[]): void {
    if (series.length > 0) this.write({ case: 'dictionary', value: create(SeriesDictionarySchema, { series }) });
  }

  sendBatch(batch: SampleBatch): void {
    if (this.stream && this.phase === 'replaying') this.held.push(batch);
    else this.write({ case: 'batch', value: batch });
  }

  sendEvent(event: Event): void {
    this.write({ case: 'event', value: event });
  }

  sendCommandResult(result: CommandResult): void {
    this.write({ case: 'commandResult', value: result });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = null;
    if (stream) {
      await new Promise<void>((resolve) => {
        stream.once('close', resolve);
        stream.once('error', () => resolve());
        stream.end();
        setTimeout(resolve, 1_000).unref();
      });
      stream.cancel();
    }
    this.client?.close();
  }

  private write(kind: AgentMessage['kind']): void {
    // Before Welcome the preamble is still being written; batches made meanwhile are replayed from the buffer.
    if (!this.stream || this.phase === 'hello') return;
    this.stream.write(encodeMessage(kind));
  }

  private open(): void {
    if (this.stopped || !this.client || !this.session) return;
    const session = this.session;
    const call = (this.client as unknown as { connect(): Stream }).connect();
    this.stream = call;
    this.phase = 'hello';
    this.held = [];
    call.on('data', (m: HubMessage) => this.onMessage(call, m));
    call.on('error', (err: grpc.ServiceError) => this.lost(call, `${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`));
    call.on('end', () => this.lost(call, 'hub ended the stream'));
    call.write(encodeMessage({ case: 'hello', value: session.hello() }));
  }

  private onMessage(call: Stream, m: HubMessage): void {
    const session = this.session;
    if (!session || call !== this.stream) return;
    switch (m.kind.case) {
      case 'welcome': {
        session.onWelcome(m.kind.value);
        const dictionary = session.dictionary();
        if (dictionary.length > 0)
          call.write(encodeMessage({ case: 'dictionary', value: create(SeriesDictionarySchema, { series: dictionary }) }));
        this.phase = 'replaying';
        void this.replay(call, session);
        return;
      }
      case 'ack':
        session.onAck(m.kind.value.sequence);
        return;
      case 'reject':
        session.onReject(m.kind.value.sequence, m.kind.value.reason, m.kind.value.message);
        return;
      case 'command':
        session.onCommand(m.kind.value);
        return;
      default:
        return;
    }
  }

  /**
   * Sends every un-acked batch in order, one read at a time, waiting for the stream to drain
   * so a long outage's backlog is never all in memory; then the held batches; then goes live.
   */
  private async replay(call: Stream, session: TransportSession): Promise<void> {
    let sent = 0;
    let last = 0n;
    try {
      for await (const batch of session.replay()) {
        // Stream lost: the next one replays from the start of what is still un-acked.
        if (call !== this.stream) return;
        if (!call.write(encodeAgentBatchMessage(batch))) await drained(call);
        sent += 1;
        last = batch.sequence;
      }
    } catch (err) {
      if (call !== this.stream) return;
      this.lost(call, `replay from the buffer failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (call !== this.stream) return;
    for (const batch of this.held) {
      if (batch.sequence <= last) continue;
      call.write(encodeAgentBatchMessage(batch));
      sent += 1;
    }
    this.held = [];
    this.phase = 'live';
    this.attempt = 0;
    this.log.info('connected to hub', { address: this.options.address, replayed: sent });
  }

  private lost(call: Stream, reason: string): void {
    if (call !== this.stream) return;
    this.stream = null;
    this.phase = 'hello';
    this.held = [];
    call.cancel();
    if (this.stopped) return;
    this.session?.onDisconnect(reason);
    const delay = exponentialBackoff(this.attempt, this.options.reconnectMinMs, this.options.reconnectMaxMs);
    this.attempt += 1;
    this.log.warn('hub stream lost; reconnecting', { reason, inMs: delay, attempt: this.attempt });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }
}

/** Resolves when the stream can take more, or is gone. */
function drained(call: Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('close', done);
      call.off('error', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
    call.on('error', done);
  });
}
