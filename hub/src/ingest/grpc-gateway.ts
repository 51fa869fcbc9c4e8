import type { Logger } from '@ballast/common';
import { agentGatewayDefinition, decodeAgentMessage, decodeBatchMessage, type HubMessage, HubMessageSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { AgentSession, type SessionDeps } from './agent-session.ts';
import { ProtocolError } from './protocol-error.ts';

export interface GrpcGatewayOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** PEM contents; absent: plaintext. With `clientCa`, agents must show a certificate it signed (mutual TLS). */
  tls?: { cert: Buffer; key: Buffer; clientCa: Buffer | null };
}

/** Messages read ahead of processing before the stream is paused (gRPC flow control then reaches the agent). */
const MAX_READ_AHEAD = 32;

/**
 * gRPC listener for AgentGateway.Connect. Each stream gets its own {@link AgentSession};
 * an error on one stream ends that stream only, with a status code and a message that
 * says what was wrong.
 */
export class GrpcGateway {
  private server: grpc.Server | null = null;
  private readonly calls = new Set<grpc.ServerDuplexStream<Uint8Array, HubMessage>>();
  boundPort = 0;

  constructor(
    private readonly deps: SessionDeps,
    private readonly options: GrpcGatewayOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    server.addService(agentGatewayDefinition, { connect: (call: grpc.ServerDuplexStream<Uint8Array, HubMessage>) => this.serve(call) });
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.options.host}:${this.options.port}`, this.credentials(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    this.log.info('gRPC gateway listening', { host: this.options.host, port: this.boundPort });
  }

  private credentials(): grpc.ServerCredentials {
    const tls = this.options.tls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    return grpc.ServerCredentials.createSsl(tls.clientCa, [{ cert_chain: tls.cert, private_key: tls.key }], tls.clientCa !== null);
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const call of this.calls) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'hub is shutting down' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get connectedStreams(): number {
    return this.calls.size;
  }

  private serve(call: grpc.ServerDuplexStream<Uint8Array, HubMessage>): void {
    const peer = call.getPeer();
    this.calls.add(call);
    let ended = false;
    const session = new AgentSession(
      this.deps,
      {
        send: (m) => {
          if (!ended) call.write(m);
        },
        sendCommand: (command) => {
          if (!ended) call.write(create(HubMessageSchema, { kind: { case: 'command', value: command } }));
        },
      },
      peer,
    );
    const fail = (err: unknown) => {
      if (ended) return;
      ended = true;
      const known = err instanceof ProtocolError;
      const code = known ? grpc.status[err.code] : grpc.status.INTERNAL;
      const details = known ? err.message : `hub error: ${err instanceof Error ? err.message : String(err)}`;
      this.log.warn('agent stream closed with an error', { peer, node: session.identity?.node, code: grpc.status[code], details });
      call.emit('error', { code, details });
    };
    let chain: Promise<void> = Promise.resolve();
    let depth = 0;
    call.on('data', (bytes: Uint8Array) => {
      depth += 1;
      if (depth >= MAX_READ_AHEAD) call.pause();
      chain = chain
        .then(async () => {
          if (ended) return;
          // Batches, nearly all traffic, skip protobuf-es; anything unusual takes the full decoder.
          const batch = decodeBatchMessage(bytes);
          if (batch) return session.handleBatch(batch);
          let message: ReturnType<typeof decodeAgentMessage>;
          try {
            message = decodeAgentMessage(bytes);
          } catch (err) {
            throw new ProtocolError('INVALID_ARGUMENT', `malformed AgentMessage (${bytes.length} bytes): ${(err as Error).message}`, {
              cause: err,
            });
          }
          await session.handle(message);
        })
        .catch(fail)
        .finally(() => {
          depth -= 1;
          if (depth < MAX_READ_AHEAD / 2) call.resume();
        });
    });
    const finish = () => {
      if (!this.calls.delete(call)) return;
      chain = chain.then(() => session.close()).catch((err) => this.log.warn('cannot record agent disconnect', { err }));
    };
    call.on('end', () => {
      finish();
      if (!ended) {
        ended = true;
        call.end();
      }
    });
    call.on('error', finish);
    call.on('cancelled', finish);
    call.on('close', finish);
  }
}
