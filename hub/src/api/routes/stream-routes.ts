import type { Clock } from '@ballast/common';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { ApiError, badParameter } from '../../errors/api-error.ts';
import type { EventBus } from '../../stream/event-bus.ts';
import { isCursor } from '../../stream/stream-cursor.ts';
import { STREAM_KINDS, type StreamFilter, type StreamKind } from '../../stream/stream-event.ts';
import { eventBody, type StreamSessionDeps, startStreamSession } from './stream-session.ts';

export interface StreamRouteDeps {
  bus: EventBus;
  /** The tenant whose events the caller may see; null: every tenant. */
  tenantOf: (request: FastifyRequest) => string | null;
  clock: Clock;
  /** Default 15 s. */
  heartbeatMs?: number;
  /** A subscriber whose unsent output passes this is dropped; default 8 MiB (a full 10,000-event replay fits). */
  maxBufferedBytes?: number;
  /** Told when a subscriber is dropped for falling behind (for logs and metrics). */
  onDrop?: (info: { transport: 'websocket' | 'sse'; bufferedBytes: number }) => void;
}

const KIND = `(${STREAM_KINDS.join('|')})`;

const streamQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kinds: { type: 'string', pattern: `^${KIND}(,${KIND})*$`, description: 'Comma-separated kinds to receive; default all.' },
    cluster: { type: 'string', minLength: 1, maxLength: 253, description: 'Only events of this cluster.' },
    cursor: {
      type: 'string',
      pattern: '^[a-z0-9]{1,32}-[0-9]{1,15}$',
      description: 'Resume after this cursor (the last one received). SSE clients may send Last-Event-ID instead.',
    },
  },
} as const;

const DESCRIPTION = `Live events of the caller's tenant: ${STREAM_KINDS.join(', ')}.
WebSocket (upgrade) or Server-Sent Events (Accept: text/event-stream). Every message carries a cursor;
reconnect with ?cursor=<last> (or SSE Last-Event-ID) to receive everything after it. A cursor the hub
no longer holds gets a "reset" message: refetch state, then follow live. WebSocket messages are JSON
{type: ready|event|reset|heartbeat, ...}; SSE events are named after the kind (plus ready, reset,
heartbeat). Heartbeats carry the latest cursor. A subscriber that cannot keep up is dropped
(WebSocket close code 4008, SSE event "dropped").`;

export const SLOW_CONSUMER_CLOSE_CODE = 4008;

/** GET /api/v1/stream over WebSocket and SSE. Registers @fastify/websocket if the app has not. */
export async function registerStreamRoutes(app: FastifyInstance, deps: StreamRouteDeps): Promise<void> {
  if (!app.hasDecorator('websocketServer')) await app.register(websocket);
  const session: StreamSessionDeps = {
    bus: deps.bus,
    clock: deps.clock,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
    maxBufferedBytes: deps.maxBufferedBytes ?? 8 * 1024 * 1024,
    ...(deps.onDrop ? { onDrop: deps.onDrop } : {}),
  };

  const subscription = (request: FastifyRequest): { filter: StreamFilter; cursor: string | undefined } => {
    const q = request.query as { kinds?: string; cluster?: string; cursor?: string };
    const lastEventId = request.headers['last-event-id'];
    let cursor = q.cursor;
    if (typeof lastEventId === 'string' && lastEventId !== '') {
      if (!isCursor(lastEventId)) throw badParameter('Last-Event-ID', 'is not a cursor this hub sent');
      cursor = lastEventId;
    }
    const kinds = q.kinds ? new Set(q.kinds.split(',') as StreamKind[]) : undefined;
    return {
      filter: { tenant: deps.tenantOf(request), ...(kinds ? { kinds } : {}), ...(q.cluster ? { cluster: q.cluster } : {}) },
      cursor,
    };
  };

  app.route({
    method: 'GET',
    url: '/api/v1/stream',
    schema: { description: DESCRIPTION, querystring: streamQuery },
    handler: (request, reply) => {
      const accept = String(request.headers.accept ?? '');
      if (!accept.includes('text/event-stream')) {
        throw new ApiError('BAD_PARAMETER', 'Accept: send text/event-stream for SSE, or open a WebSocket', 'Accept');
      }
      serveSse(request, reply, subscription(request), session);
    },
    wsHandler: (socket, request) => {
      let sub: ReturnType<typeof subscription>;
      try {
        sub = subscription(request);
      } catch (err) {
        socket.close(1008, (err as Error).message.slice(0, 120));
        return;
      }
      serveWebSocket(socket, sub, session);
    },
  });
}

function serveWebSocket(socket: WebSocket, sub: { filter: StreamFilter; cursor: string | undefined }, deps: StreamSessionDeps): void {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const json = (message: unknown) => JSON.stringify(message);
  const session = startStreamSession(
    {
      name: 'websocket',
      send: (frame) => {
        socket.send(frame);
        return socket.bufferedAmount;
      },
      dropSlow: () => {
        socket.close(SLOW_CONSUMER_CLOSE_CODE, 'slow consumer: events arrived faster than they were read');
        // A reader that stalled will not read the close frame either.
        deps.clock.setTimeout(() => socket.terminate(), 1_000);
      },
      beforeHeartbeat: () => {
        if (!alive) {
          socket.terminate();
          return false;
        }
        alive = false;
        socket.ping();
        return true;
      },
      ready: (cursor) => json({ type: 'ready', cursor }),
      event: (e, cursor) => json({ type: 'event', ...eventBody(e, cursor) }),
      reset: (reason, message, cursor) => json({ type: 'reset', reason, message, cursor }),
      heartbeat: (at, cursor) => json({ type: 'heartbeat', at, cursor }),
    },
    sub,
    deps,
  );
  socket.on('close', session.stop);
  socket.on('error', session.stop);
}

function sseFrame(name: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

function serveSse(
  request: FastifyRequest,
  reply: FastifyReply,
  sub: { filter: StreamFilter; cursor: string | undefined },
  deps: StreamSessionDeps,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies (nginx) buffer responses unless told not to.
    'x-accel-buffering': 'no',
  });
  // The browser's EventSource reconnects after this many ms, sending Last-Event-ID.
  raw.write('retry: 2000\n\n');
  const session = startStreamSession(
    {
      name: 'sse',
      send: (frame) => {
        raw.write(frame);
        return raw.writableLength;
      },
      dropSlow: () => {
        raw.end(sseFrame('dropped', { reason: 'slow-consumer', message: 'events arrived faster than they were read' }));
        deps.clock.setTimeout(() => raw.destroy(), 1_000);
      },
      ready: (cursor) => sseFrame('ready', { cursor }, cursor),
      event: (e, cursor) => sseFrame(e.kind, eventBody(e, cursor), cursor),
      reset: (reason, message, cursor) => sseFrame('reset', { reason, message, cursor }),
      heartbeat: (at, cursor) => sseFrame('heartbeat', { at, cursor }, cursor),
    },
    sub,
    deps,
  );
  request.raw.on('close', session.stop);
  raw.on('error', session.stop);
}
