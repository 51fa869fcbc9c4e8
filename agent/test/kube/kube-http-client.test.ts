import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inClusterEndpoint, type KubeEndpoint } from '../../src/kube/kube-endpoint.ts';
import { KubeHttpClient, KubeHttpError } from '../../src/kube/kube-http-client.ts';
import { tempDirs } from '../pipeline/temp-dirs.ts';
import { makeTlsFixture, type TlsFixture } from './tls-fixture.ts';

// The agent's own client against a real HTTPS server, set up as a pod sees its API server:
// KUBERNETES_SERVICE_HOST/PORT, the service account's CA and a token file.
describe('KubeHttpClient over TLS with a service account', () => {
  const dirs = tempDirs('kube-http');
  let tls: TlsFixture;
  let server: Server | undefined;
  let client: KubeHttpClient | undefined;
  let seen: IncomingMessage[] = [];

  beforeAll(() => {
    tls = makeTlsFixture(dirs.make());
  });
  afterEach(async () => {
    client?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server?.closeAllConnections();
    server = undefined;
    seen = [];
  });
  afterAll(() => dirs.removeAll());

  /** Starts the server; returns the pod's view of it and a way to rotate the token file. */
  async function serve(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    ca = tls.ca,
  ): Promise<{ endpoint: KubeEndpoint; rotate: (token: string) => void }> {
    server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      seen.push(req);
      handler(req, res);
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const sa = dirs.make();
    writeFileSync(join(sa, 'token'), 'token-1\n');
    writeFileSync(join(sa, 'ca.crt'), ca);
    const port = (server.address() as AddressInfo).port;
    const endpoint = inClusterEndpoint({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) }, sa);
    return { endpoint, rotate: (token) => writeFileSync(join(sa, 'token'), token) };
  }

  it('GETs JSON with the bearer token, verifying the server against the CA, and follows a rotated token', async () => {
    const { endpoint, rotate } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', path: req.url }));
    });
    client = new KubeHttpClient(endpoint);
    expect(await client.getJson('/api/v1/pods?fieldSelector=spec.nodeName%3Dn1')).toEqual({
      kind: 'PodList',
      path: '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1',
    });
    rotate('token-2');
    await client.getJson('/api/v1/pods');
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(seen[0]?.headers.accept).toBe('application/json');
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const { endpoint } = await serve((_req, res) => res.end('{}'), tls.otherCa);
    client = new KubeHttpClient(endpoint);
    await expect(client.getJson('/api/v1/pods')).rejects.toThrow(/certificate/i);
    expect(seen).toEqual([]);
  });

  it('rejects a non-200 answer with its status and the server’s Status message', async () => {
    const { endpoint } = await serve((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'pods is forbidden: User "system:serviceaccount:x:y" cannot list' }));
    });
    client = new KubeHttpClient(endpoint);
    const err = await client.getJson('/api/v1/pods').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeHttpError);
    expect((err as KubeHttpError).status).toBe(403);
    expect((err as Error).message).toContain('pods is forbidden');
  });

  it('delivers watch events line by line, whatever the chunking, and resolves when the server ends the stream', async () => {
    const { endpoint } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const lines = `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })}\n`;
      // Split mid-line, and send the rest a moment later.
      res.write(lines.slice(0, 17));
      setTimeout(() => res.end(lines.slice(17)), 20);
    });
    client = new KubeHttpClient(endpoint);
    const events: [string, unknown][] = [];
    await client.watch('/api/v1/pods?watch=1', (type, obj) => events.push([type, obj]), new AbortController().signal, 5_000);
    expect(events).toEqual([
      ['ADDED', { metadata: { name: 'a' } }],
      ['BOOKMARK', { metadata: { resourceVersion: '9' } }],
    ]);
  });

  it('rejects a watch with a line that is not JSON, one that goes silent, and one that is aborted', async () => {
    let mode = 'garbage';
    const { endpoint } = await serve((_req, res) => {
      res.writeHead(200);
      if (mode === 'garbage') res.write('{"type":"ADDED"\n');
      else res.write(''); // silent: headers only, then nothing
    });
    client = new KubeHttpClient(endpoint);
    const never = new AbortController().signal;
    await expect(client.watch('/w', () => {}, never, 5_000)).rejects.toThrow(/not JSON/);
    mode = 'silent';
    await expect(client.watch('/w', () => {}, never, 200)).rejects.toThrow(/no data for 200 ms/);
    const abort = new AbortController();
    const watching = client.watch('/w', () => {}, abort.signal, 5_000);
    setTimeout(() => abort.abort(), 50);
    await expect(watching).rejects.toThrow();
  });
});
