import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Clock } from '@ballast/common';
import type { Fleet } from '../core/fleet.ts';
import { ApiError } from './api-error.ts';
import type { NodeShape } from './controllers/node-sync.ts';
import { coreVersionsDoc, groupDoc, groupListDoc, resourceListDoc, versionDoc } from './discovery.ts';
import { sendError, sendJson } from './http-io.ts';
import { KubeCluster } from './kube-cluster.ts';
import type { KubeStats } from './kube-stats.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import type { ObjectStore } from './object-store.ts';
import { openApiV3Doc, openApiV3Root } from './openapi.ts';
import { findResource } from './resources.ts';
import { type ResourceRoute, RestHandlers } from './rest-handlers.ts';
import { WatchHub } from './watch-hub.ts';

export interface KubeApiServerOptions {
  fleet: Fleet;
  clock: Clock;
  clusterName: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  resolveShape?: (instanceType: string) => NodeShape;
  nodeDeleteDelayMs?: number;
  podStartupMs?: number;
  seed?: number;
  historyLimit?: number;
  /** Real ms between watch BOOKMARKs. */
  bookmarkIntervalMs?: number;
}

export interface KubeApiServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  cluster: KubeCluster;
  store: ObjectStore;
  stats: KubeStats;
  close(): Promise<void>;
}

/**
 * A fake kube-apiserver for one simulated cluster, over plain HTTP, that real kubectl and
 * @kubernetes/client-node accept. Its Node objects follow the fleet's instances tagged
 * with the cluster name; everything else is what clients create.
 */
export async function startKubeApiServer(options: KubeApiServerOptions): Promise<KubeApiServer> {
  const cluster = new KubeCluster(options);
  const watches = new WatchHub(cluster, { bookmarkIntervalMs: options.bookmarkIntervalMs });
  const rest = new RestHandlers(cluster, watches);
  const host = options.host ?? '127.0.0.1';
  let address = '';
  const server = createServer((req, res) => {
    cluster.stats.requests += 1;
    route(req, res).catch((err) => sendError(res, err));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/version') return sendJson(res, 200, versionDoc());
    if (path === '/healthz' || path === '/livez' || path === '/readyz')
      return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    if (path === '/api') return sendJson(res, 200, coreVersionsDoc(address));
    if (path === '/apis') return sendJson(res, 200, groupListDoc());
    if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3Doc(path.slice('/openapi/v3/'.length));
      if (doc) return sendJson(res, 200, doc);
    }
    const parsed = parsePath(path);
    if (parsed?.kind === 'discovery') {
      const doc = resourceListDoc(parsed.groupVersion);
      if (doc) return sendJson(res, 200, doc);
    }
    if (parsed?.kind === 'resource') return rest.handle(parsed.route, req, res, url.searchParams);
    if (/^\/apis\/[^/]+$/.test(path)) {
      const doc = groupDoc(path.slice('/apis/'.length));
      if (doc) return sendJson(res, 200, doc);
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `http://${address}`;
  const kubeconfigPath = writeKubeconfig(options.clusterName, url);

  return {
    url,
    port,
    kubeconfigPath,
    cluster,
    store: cluster.store,
    stats: cluster.stats,
    async close() {
      cluster.close();
      watches.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dirname(kubeconfigPath), { recursive: true, force: true });
    },
  };
}

type Parsed = { kind: 'discovery'; groupVersion: string } | { kind: 'resource'; route: ResourceRoute };

/** `/api/v1/...` or `/apis/<group>/<version>/...` → discovery or a resource route. */
function parsePath(path: string): Parsed | undefined {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let gv: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    gv = 'v1';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    gv = `${segs[1]}/${segs[2]}`;
    rest = segs.slice(3);
  } else return undefined;
  if (rest.length === 0) return { kind: 'discovery', groupVersion: gv };
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const r = findResource(gv, rest[2] as string);
    if (r?.namespaced) return { kind: 'resource', route: { r, namespace: rest[1], name: rest[3], subresource: rest[4] } };
  }
  const r = findResource(gv, rest[0] as string);
  if (!r) return undefined;
  return { kind: 'resource', route: { r, name: rest[1], subresource: rest[2] } };
}
