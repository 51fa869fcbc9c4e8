import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@ballast/common';
import type { SimInstance } from '../core/fleet.ts';
import { GARBAGE_BODY, type ImdsFaults, matchesPath, parseFaults } from './imds-faults.ts';
import { errorPage } from './imds-format.ts';
import { metadataTree, resolveMetadata } from './imds-metadata.ts';
import { parseTtlSeconds, TokenStore } from './imds-tokens.ts';

export const TOKEN_PATH = '/latest/api/token';
export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
export const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
/** Control endpoints live outside `/latest` so no agent can reach them by walking the metadata tree. */
export const FAULTS_PATH = '/_sim/faults';
export const STATS_PATH = '/_sim/stats';

export interface ImdsServerOptions {
  /** Read on every request, so the answers follow the Fleet's live state. */
  instance: () => SimInstance | undefined;
  /** Notices appear and tokens expire on this clock. */
  clock: Clock;
  /** IMDSv2 only (HttpTokens=required): a GET without a token is 401. */
  requireV2: boolean;
  /** Default 127.0.0.1: the service is for agents on this machine only. */
  host?: string;
  /** Default 0: an ephemeral port, so any number of instances fit on one machine. */
  port?: number;
  /** Shown in the instance identity document. */
  accountId?: string;
}

export interface ImdsStats {
  /** Requests to `/latest/...` and anything else that is not a control endpoint. */
  requests: number;
  tokensIssued: number;
  /** Answers altered by a fault (500, garbage); delays are not counted. */
  faultsInjected: number;
  byStatus: Record<string, number>;
  /** Requests per path, so agent tests can assert how often a monitor polled. */
  byPath: Record<string, number>;
}

export interface ImdsServer {
  /** `http://host:port`, what agents are given as the metadata endpoint. */
  readonly url: string;
  readonly port: number;
  readonly stats: ImdsStats;
  /** Current faults; assigning replaces them (validated; throws on a bad value). */
  faults: ImdsFaults;
  /** Stops listening and drops open connections (delayed answers included); idempotent. */
  close(): Promise<void>;
}

/**
 * A fake EC2 instance metadata service for one simulated instance. Each instance gets its own
 * loopback port rather than one server routing by caller: a real agent tells instances apart
 * by which 169.254.169.254 it reaches, and the only knob agents have is the endpoint URL
 * (`AWS_EC2_METADATA_SERVICE_ENDPOINT` for the AWS SDKs, `INSTANCE_METADATA_URL` for NTH),
 * so a port per instance is the one mapping that needs no change in the agent.
 */
export async function startImdsServer(options: ImdsServerOptions): Promise<ImdsServer> {
  const tokens = new TokenStore(options.clock);
  const accountId = options.accountId ?? '123456789012';
  const stats: ImdsStats = { requests: 0, tokensIssued: 0, faultsInjected: 0, byStatus: {}, byPath: {} };
  let faults: ImdsFaults = {};
  let closed = false;
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    const contentType = status >= 400 ? 'text/html' : 'text/plain';
    res.writeHead(status, { Server: 'EC2ws', 'Content-Type': contentType, ...headers });
    res.end(body);
  };
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    500: 'Internal Server Error',
  };
  const fail = (res: ServerResponse, status: number, headers?: Record<string, string>) =>
    send(res, status, errorPage(status, reasons[status] ?? 'Error'), headers);

  // Wall-clock on purpose: the delay exists to trip the agent's HTTP timeout, which is real time.
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          delays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      delays.add(entry);
    });

  async function handleMetadata(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    req.resume(); // metadata requests carry no body we read; drain it so keep-alive connections stay usable
    stats.requests += 1;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    if (faults.delayMs) await wait(faults.delayMs);
    if (closed) return;
    if (path !== '/latest' && !path.startsWith('/latest/')) return fail(res, 404);
    if (matchesPath(faults.status500, path)) {
      stats.faultsInjected += 1;
      return fail(res, 500);
    }
    if (path === TOKEN_PATH) return issueToken(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, { Allow: 'GET, HEAD' });
    // A token that is sent must be valid even when v1 is allowed; only its absence is optional.
    const token = req.headers[TOKEN_HEADER];
    if (typeof token === 'string' ? !tokens.isValid(token) : options.requireV2) return fail(res, 401);
    if (matchesPath(faults.garbageBody, path)) {
      stats.faultsInjected += 1;
      return send(res, 200, GARBAGE_BODY);
    }
    const instance = options.instance();
    if (!instance) return fail(res, 404);
    const view = { nowMs: options.clock.now(), accountId, noticeTimeOverride: faults.noticeTimeOverride };
    const body = resolveMetadata(metadataTree(instance, view), path.slice('/latest'.length));
    return body === undefined ? fail(res, 404) : send(res, 200, body);
  }

  async function issueToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'PUT') return fail(res, 405, { Allow: 'PUT' });
    // AWS refuses token requests that went through a proxy, so a token cannot be obtained by SSRF via one.
    if (req.headers['x-forwarded-for'] !== undefined) return fail(res, 403);
    const ttl = parseTtlSeconds(headerValue(req.headers[TTL_HEADER]));
    if (ttl === null) return fail(res, 400);
    stats.tokensIssued += 1;
    return send(res, 200, tokens.issue(ttl), { 'X-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (path === STATS_PATH && req.method === 'GET') return json(200, stats);
    if (path !== FAULTS_PATH) return json(404, { error: `no control endpoint ${path}` });
    if (req.method === 'GET') return json(200, faults);
    if (req.method === 'DELETE') {
      faults = {};
      return json(200, faults);
    }
    if (req.method !== 'POST' && req.method !== 'PUT') return json(405, { error: 'use GET, POST, PUT or DELETE' });
    try {
      faults = parseFaults(JSON.parse(await readBody(req)));
      return json(200, faults);
    } catch (err) {
      return json(400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = path.startsWith('/_sim/') ? handleControl : handleMetadata;
    handler(req, res, path).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorPage(500, 'Internal Server Error'));
      else res.destroy(err instanceof Error ? err : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats,
    get faults() {
      return faults;
    },
    set faults(value: ImdsFaults) {
      faults = parseFaults(value);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const d of delays) {
          clearTimeout(d.timer);
          d.resolve();
        }
        delays.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) throw new Error(`body larger than ${limit} bytes`);
  }
  return body === '' ? '{}' : body;
}
