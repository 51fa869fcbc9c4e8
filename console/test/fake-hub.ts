import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { NodeInfo, Point } from '../src/api/nodes-api.ts';

/**
 * A stand-in for the hub's HTTP API plus static serving of a built console, so the console's
 * e2e test does not depend on the hub. Answers with the hub's JSON shapes, including errors.
 */
export interface FakeHub {
  url: string;
  nodes: NodeInfo[];
  /** When set, GET /api/v1/nodes answers 500 with this message. */
  nodesFailure: string | undefined;
  /** CPU points per node name; every metrics request appends one, so charts visibly grow. */
  cpu: Map<string, Point[]>;
  /** Accounts that can sign in, as the hub's users table would hold them. */
  users: FakeUser[];
  /** Sends one event to every open /api/v1/stream (SSE) subscriber; answers how many got it. */
  emit: (kind: string, data: Record<string, unknown>) => number;
  close: () => Promise<void>;
}

export interface FakeUser {
  username: string;
  password: string;
  role: 'admin' | 'operator' | 'viewer';
  clientId: string | null;
}

export const FAKE_ADMIN: FakeUser = { username: 'admin', password: 'fake-hub-admin-password', role: 'admin', clientId: null };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export function makeNode(overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    tenant: 'default',
    cluster: 'local',
    node: 'ip-10-0-0-1',
    instanceId: 'i-0abc1234def567890',
    instanceType: 'm6i.large',
    availabilityZone: 'us-east-1a',
    lifecycle: 'spot',
    agentVersion: '0.1.0',
    connected: true,
    lastSeen: new Date(Date.now() - 3000).toISOString(),
    ...overrides,
  };
}

/** `count` points 10 s apart ending now, with a gentle wave so the chart has a shape. */
export function cpuHistory(count: number, nowSec = Math.floor(Date.now() / 1000)): Point[] {
  return Array.from({ length: count }, (_, i): Point => {
    const t = nowSec - (count - 1 - i) * 10;
    return [t, 35 + 20 * Math.sin(i / 6) + 5 * Math.sin(i * 1.7)];
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function badParameter(res: ServerResponse, parameter: string, message: string): void {
  json(res, 400, { error: { code: 'BAD_PARAMETER', message, parameter } });
}

export async function startFakeHub(distDir: string): Promise<FakeHub> {
  const hub: FakeHub = {
    url: '',
    nodes: [],
    nodesFailure: undefined,
    cpu: new Map(),
    users: [FAKE_ADMIN],
    emit: () => 0,
    close: async () => {},
  };

  const metricsQuery = (url: URL, res: ServerResponse) => {
    const q = url.searchParams;
    // Validate like the hub does, so a console that sends a malformed query fails the test.
    if (q.get('metric') !== 'node_cpu_usage_percent') return badParameter(res, 'metric', 'unknown metric');
    const node = q.get('match[node]');
    if (!node) return badParameter(res, 'match[node]', 'match[node] is required');
    const start = Number(q.get('start'));
    const end = Number(q.get('end'));
    if (!Number.isInteger(start)) return badParameter(res, 'start', 'start must be unix seconds');
    if (!Number.isInteger(end) || end < start) return badParameter(res, 'end', 'end must be unix seconds >= start');
    const stepRaw = q.get('step') ?? '';
    if (!/^\d+s$/.test(stepRaw)) return badParameter(res, 'step', 'step must look like 10s');

    const info = hub.nodes.find((n) => n.node === node);
    const points = hub.cpu.get(node);
    if (!info || !points) return json(res, 200, { metric: 'node_cpu_usage_percent', resolution: 'raw', step: 10, series: [] });
    const last = points.at(-1)?.[0] ?? Math.floor(Date.now() / 1000) - 1;
    points.push([Math.max(Math.floor(Date.now() / 1000), last + 1), 30 + Math.random() * 40]);
    json(res, 200, {
      metric: 'node_cpu_usage_percent',
      resolution: 'raw',
      step: Number.parseInt(stepRaw, 10),
      series: [
        {
          labels: { node, cluster: info.cluster, tenant: info.tenant },
          points: points.filter(([t]) => t >= start),
        },
      ],
    });
  };

  const serveStatic = async (pathname: string, res: ServerResponse) => {
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = join(distDir, rel);
    if (!file.startsWith(distDir + sep) && file !== distDir)
      return json(res, 403, { error: { code: 'FORBIDDEN', message: 'outside dist' } });
    const isFile = await stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    // SPA fallback: unknown paths get the app shell, as the hub will serve it.
    if (!isFile) file = join(distDir, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  };

  // Sessions like the hub's: an httpOnly session cookie, a readable CSRF cookie, and the
  // CSRF token required on every POST; no session → 401 on the API.
  const sessions = new Map<string, { user: FakeUser; csrf: string }>();
  const cookies = (req: IncomingMessage) =>
    Object.fromEntries((req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=') as [string, string]));
  const userView = (u: FakeUser) => ({
    id: '00000000-0000-4000-8000-000000000001',
    username: u.username,
    name: '',
    role: u.role,
    clientId: u.clientId,
    disabled: false,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
    passwordChangedAt: new Date(0).toISOString(),
  });
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  };

  const auth = async (url: URL, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (url.pathname === '/api/v1/auth/login' && req.method === 'POST') {
      const b = await readBody(req);
      const user = hub.users.find((u) => u.username === b.username && u.password === b.password);
      if (!user) {
        json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'wrong username or password' } });
        return true;
      }
      const sid = randomUUID();
      const csrf = randomUUID();
      sessions.set(sid, { user, csrf });
      res.setHeader('set-cookie', [
        `ballast_session=${sid}; Path=/; HttpOnly; SameSite=Strict`,
        `ballast_csrf=${csrf}; Path=/; SameSite=Strict`,
      ]);
      json(res, 200, { user: userView(user), csrfToken: csrf, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      return true;
    }
    const session = sessions.get(cookies(req).ballast_session ?? '');
    if (!session) {
      json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'sign in first' } });
      return true;
    }
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrf) {
      json(res, 403, { error: { code: 'FORBIDDEN', message: 'missing or wrong X-CSRF-Token' } });
      return true;
    }
    if (url.pathname === '/api/v1/me') {
      json(res, 200, {
        user: userView(session.user),
        via: 'session',
        role: session.user.role,
        clientId: session.user.clientId,
        csrfToken: session.csrf,
      });
      return true;
    }
    if (url.pathname === '/api/v1/auth/logout') {
      sessions.delete(cookies(req).ballast_session ?? '');
      res.writeHead(204, { 'set-cookie': 'ballast_session=; Path=/; Max-Age=0' });
      res.end();
      return true;
    }
    return false;
  };

  const subscribers = new Set<ServerResponse>();
  let eventId = 0;
  hub.emit = (kind, data) => {
    eventId++;
    const frame = `id: ${eventId}\ndata: ${JSON.stringify({ kind, ...data })}\n\n`;
    for (const res of subscribers) res.write(frame);
    return subscribers.size;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/') && (await auth(url, req, res))) return;
    if (url.pathname === '/api/v1/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': subscribed\n\n');
      subscribers.add(res);
      req.on('close', () => subscribers.delete(res));
      return;
    }
    if (url.pathname === '/api/v1/nodes') {
      if (hub.nodesFailure) return json(res, 500, { error: { code: 'INTERNAL', message: hub.nodesFailure } });
      return json(res, 200, { nodes: hub.nodes });
    }
    if (url.pathname === '/api/v1/metrics/query') return metricsQuery(url, res);
    if (url.pathname.startsWith('/api/')) return json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } });
    return serveStatic(url.pathname, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { error: { code: 'INTERNAL', message: String(err) } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  hub.url = `http://127.0.0.1:${port}`;
  hub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return hub;
}
