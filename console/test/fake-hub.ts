import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { NodeInfo, Point } from '../src/api.ts';

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
  close: () => Promise<void>;
}

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

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
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
