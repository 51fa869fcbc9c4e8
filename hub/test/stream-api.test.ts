import { request as httpRequest, type IncomingMessage } from 'node:http';
import { systemClock } from '@ballast/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { registerStreamRoutes, SLOW_CONSUMER_CLOSE_CODE } from '../src/api/routes/stream-routes.ts';
import { EventBus } from '../src/stream/event-bus.ts';
import type { StreamEventInput } from '../src/stream/stream-event.ts';
import { headerTenant, testApp } from './stream-test-app.ts';

interface WsMessage {
  type: string;
  cursor?: string;
  id?: number;
  kind?: string;
  tenant?: string;
  cluster?: string;
  reason?: string;
  data?: Record<string, unknown>;
}

const ev = (over: Partial<StreamEventInput> = {}): StreamEventInput => ({
  kind: 'interruption',
  tenant: 'acme',
  cluster: 'prod',
  node: 'n1',
  at: Date.parse('2026-01-01T00:00:00Z'),
  data: {},
  ...over,
});

/** A WebSocket client that queues every message, so a test can wait for the n-th. */
class WsClient {
  readonly messages: WsMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WsMessage);
      this.kick();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.kick();
    });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(url, { headers });
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.until((m) => m.some((x) => x.type === 'ready'));
    return client;
  }

  events(): WsMessage[] {
    return this.messages.filter((m) => m.type === 'event');
  }

  async until(done: (messages: WsMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages)) {
      if (this.closed) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      if (Date.now() > deadline) throw new Error(`timed out with ${this.messages.length} messages`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
  }

  private kick(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

interface SseFrame {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/** An SSE client over node:http, parsing frames as they arrive. */
class SseClient {
  readonly frames: SseFrame[] = [];
  private buffer = '';
  private constructor(
    readonly res: IncomingMessage,
    readonly abort: () => void,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end = this.buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const frame: Partial<SseFrame> & { raw: string[] } = { raw: [] };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) frame.id = line.slice(4);
          else if (line.startsWith('event: ')) frame.event = line.slice(7);
          else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
        }
        if (frame.event) this.frames.push({ event: frame.event, data: frame.data ?? {}, ...(frame.id ? { id: frame.id } : {}) });
        end = this.buffer.indexOf('\n\n');
      }
    });
  }

  static open(port: number, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        resolve(new SseClient(res, () => req.destroy()));
      });
      req.on('error', reject);
      req.end();
    });
  }

  async until(done: (frames: SseFrame[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.frames)) {
      if (Date.now() > deadline) throw new Error(`timed out with ${this.frames.length} frames`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function getJson(port: number, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; parameter?: string } } };
}

describe('GET /api/v1/stream', () => {
  let app: FastifyInstance;
  let port: number;
  let bus: EventBus;
  const drops: Array<{ transport: string; bufferedBytes: number }> = [];
  const MAX_BUFFERED = 256 * 1024;

  beforeAll(async () => {
    bus = new EventBus({ capacity: 1_000 });
    app = testApp();
    await registerStreamRoutes(app, {
      bus,
      tenantOf: headerTenant,
      clock: systemClock,
      heartbeatMs: 100,
      maxBufferedBytes: MAX_BUFFERED,
      onDrop: (d) => drops.push(d),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await app.close();
  });

  const wsUrl = (query = '') => `ws://127.0.0.1:${port}/api/v1/stream${query}`;

  it('delivers events over WebSocket in publish order, each with its cursor', async () => {
    const client = await WsClient.open(wsUrl());
    const first = bus.publish(ev()).id;
    for (let i = 1; i < 300; i++) bus.publish(ev({ data: { i } }));
    await client.until(() => client.events().length === 300);
    const ids = client.events().map((m) => m.id);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => first + i));
    expect(client.events()[5]?.cursor).toBe(`${bus.epoch}-${first + 5}`);
    expect(client.events()[5]?.data).toEqual({ i: 5 });
    await client.close();
  });

  it('after a disconnect, resuming from the last cursor delivers exactly what was missed, then live events', async () => {
    const client = await WsClient.open(wsUrl());
    bus.publish(ev({ data: { n: 1 } }));
    bus.publish(ev({ data: { n: 2 } }));
    await client.until(() => client.events().length === 2);
    const last = client.events()[1]?.cursor as string;
    await client.close();
    // Published while nobody listened.
    for (let n = 3; n <= 50; n++) bus.publish(ev({ data: { n } }));
    const again = await WsClient.open(wsUrl(`?cursor=${last}`));
    bus.publish(ev({ data: { n: 51 } }));
    await again.until(() => again.events().length === 49);
    expect(again.events().map((m) => m.data?.n)).toEqual(Array.from({ length: 49 }, (_, i) => i + 3));
    // The replay came before ready, the live event after it.
    const readyAt = again.messages.findIndex((m) => m.type === 'ready');
    expect(again.messages.slice(0, readyAt).filter((m) => m.type === 'event')).toHaveLength(48);
    await again.close();
  });

  it('a tenant-bound subscriber gets only its tenant events; staff get every tenant', async () => {
    const acme = await WsClient.open(wsUrl(), { 'x-test-tenant': 'acme' });
    const globex = await WsClient.open(wsUrl(), { 'x-test-tenant': 'globex' });
    const staff = await WsClient.open(wsUrl());
    bus.publish(ev({ tenant: 'globex', data: { secret: true } }));
    bus.publish(ev({ tenant: 'acme', data: { mine: true } }));
    bus.publish(ev({ tenant: 'globex', data: { secret: true } }));
    await staff.until(() => staff.events().length === 3);
    await acme.until(() => acme.events().length === 1);
    await globex.until(() => globex.events().length === 2);
    // Heartbeats come after the events; by then anything misrouted would have arrived.
    await acme.until((m) => m.filter((x) => x.type === 'heartbeat').length >= 2);
    expect(acme.events().map((m) => m.tenant)).toEqual(['acme']);
    expect(globex.events().every((m) => m.tenant === 'globex')).toBe(true);
    await Promise.all([acme.close(), globex.close(), staff.close()]);
  });

  it('a tenant resuming from a cursor gets only its own missed events', async () => {
    const start = bus.latestCursor();
    bus.publish(ev({ tenant: 'globex' }));
    bus.publish(ev({ tenant: 'acme', data: { k: 1 } }));
    const acme = await WsClient.open(wsUrl(`?cursor=${start}`), { 'x-test-tenant': 'acme' });
    expect(acme.events().map((m) => [m.tenant, m.data?.k])).toEqual([['acme', 1]]);
    await acme.close();
  });

  it('filters by kinds and cluster', async () => {
    const client = await WsClient.open(wsUrl('?kinds=rebalance,decision&cluster=prod'));
    bus.publish(ev({ kind: 'interruption' }));
    bus.publish(ev({ kind: 'rebalance', cluster: 'dev' }));
    bus.publish(ev({ kind: 'rebalance', cluster: 'prod', data: { want: 1 } }));
    bus.publish(ev({ kind: 'job-progress', cluster: null }));
    bus.publish(ev({ kind: 'decision', cluster: 'prod', data: { want: 2 } }));
    await client.until(() => client.events().length === 2);
    await client.until((m) => m.filter((x) => x.type === 'heartbeat').length >= 2);
    expect(client.events().map((m) => m.data?.want)).toEqual([1, 2]);
    await client.close();
  });

  it('tells a client whose cursor is no longer kept to refetch, then streams live', async () => {
    const stale = bus.latestCursor();
    for (let i = 0; i < 1_100; i++) bus.publish(ev());
    const client = await WsClient.open(wsUrl(`?cursor=${stale}`));
    expect(client.messages[0]?.type).toBe('reset');
    expect(client.messages[0]?.reason).toBe('cursor-too-old');
    expect(client.events()).toEqual([]);
    bus.publish(ev({ data: { live: true } }));
    await client.until(() => client.events().length === 1);
    await client.close();
  });

  it('drops a subscriber that stops reading once its buffer passes the bound, and the others go on', async () => {
    const slow = await WsClient.open(wsUrl());
    const healthy = await WsClient.open(wsUrl('?kinds=decision'));
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = 'x'.repeat(16 * 1024);
    const before = bus.subscriberCount;
    const dropsBefore = drops.length;
    for (let i = 0; i < 2_000 && drops.length === dropsBefore; i++) {
      bus.publish(ev({ data: { payload } }));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(drops.length).toBe(dropsBefore + 1);
    expect(drops.at(-1)?.transport).toBe('websocket');
    // Bounded: never more than the limit plus the one message that crossed it.
    expect(drops.at(-1)?.bufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED + 17 * 1024);
    expect(bus.subscriberCount).toBe(before - 1);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.until(() => slow.closed !== null).catch(() => undefined);
    expect(slow.closed?.code === SLOW_CONSUMER_CLOSE_CODE || slow.closed?.code === 1006).toBe(true);
    bus.publish(ev({ kind: 'decision' }));
    await healthy.until(() => healthy.events().length === 1);
    await healthy.close();
  });

  it('serves SSE with ids, resumes from Last-Event-ID and sends heartbeats', async () => {
    const sse = await SseClient.open(port, '/api/v1/stream?kinds=interruption', { 'x-test-tenant': 'acme' });
    await sse.until((f) => f.some((x) => x.event === 'ready'));
    bus.publish(ev({ data: { s: 1 } }));
    bus.publish(ev({ tenant: 'globex', data: { s: 99 } }));
    bus.publish(ev({ data: { s: 2 } }));
    await sse.until((f) => f.filter((x) => x.event === 'interruption').length === 2);
    const lastId = sse.frames.filter((x) => x.event === 'interruption')[0]?.id as string;
    sse.abort();
    bus.publish(ev({ data: { s: 3 } }));
    const again = await SseClient.open(port, '/api/v1/stream?kinds=interruption', { 'x-test-tenant': 'acme', 'last-event-id': lastId });
    await again.until((f) => f.some((x) => x.event === 'heartbeat'));
    expect(again.frames.filter((x) => x.event === 'interruption').map((x) => (x.data.data as { s: number }).s)).toEqual([2, 3]);
    const heartbeat = again.frames.find((x) => x.event === 'heartbeat');
    expect(heartbeat?.id).toBe(bus.latestCursor());
    again.abort();
  });

  it('answers 400 naming the parameter for a bad cursor, kind, Last-Event-ID, or a plain GET', async () => {
    const sse = { accept: 'text/event-stream' };
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/api/v1/stream?cursor=not-a-cursor', sse, 'cursor'],
      ['/api/v1/stream?kinds=interruption,bogus', sse, 'kinds'],
      ['/api/v1/stream?tenant=acme', sse, 'tenant'],
      ['/api/v1/stream', { ...sse, 'last-event-id': 'garbage' }, 'Last-Event-ID'],
      ['/api/v1/stream', {}, 'Accept'],
    ];
    for (const [path, headers, parameter] of cases) {
      const res = await getJson(port, path, headers);
      expect(res.status, path).toBe(400);
      expect(res.body.error?.parameter, path).toBe(parameter);
    }
    const before = bus.subscriberCount;
    await expect(WsClient.open(wsUrl('?cursor=bad'))).rejects.toThrow(/400/);
    expect(bus.subscriberCount).toBe(before);
  });
});
