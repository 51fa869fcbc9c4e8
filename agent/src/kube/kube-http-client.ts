import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeEndpoint } from './kube-endpoint.ts';

/** A Kubernetes API request that failed; `status` is the HTTP status when the server answered. */
export class KubeHttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeHttpError';
  }
}

export interface KubeHttpClientOptions {
  /** Deadline of a whole GET (default 30 s). */
  requestTimeoutMs?: number;
}

/**
 * The few GETs the agent makes on its own (the pod list and watch), on node:http(s). The
 * agent's other Kubernetes calls (cordon, drain) go through `@ballast/kube` on
 * `@kubernetes/client-node`, loaded only when one is needed: that client costs 20–40 MiB of
 * resident memory, a third of the agent's budget, for a watch that needs none of it.
 */
export class KubeHttpClient {
  private readonly agent: http.Agent;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly endpoint: KubeEndpoint,
    options: KubeHttpClientOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const tls = endpoint.server.protocol === 'https:';
    // One connection for the list, then reused by the watch that follows it.
    this.agent = tls ? new https.Agent({ keepAlive: true, maxSockets: 2 }) : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  /** GETs `path` (with its query) and parses the JSON answer; rejects with a {@link KubeHttpError} on any status but 200. */
  async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const { res, failure } = await this.request(path, signal, this.requestTimeoutMs);
    const body = await readBody(res).catch((err: unknown) => {
      throw failure() ?? err;
    });
    if (res.statusCode !== 200) throw statusError('GET', path, res.statusCode, body);
    try {
      return JSON.parse(body) as T;
    } catch (err) {
      throw new KubeHttpError(`GET ${path}: the answer is not JSON`, res.statusCode, { cause: err });
    }
  }

  /**
   * Follows a watch (`path` carries `watch=1`): calls `onEvent` for each event line as it
   * arrives. Resolves when the server ends the stream, rejects on an error status, a broken
   * line, a connection error, `idleTimeoutMs` without a byte, or `signal`.
   */
  async watch(path: string, onEvent: (type: string, object: unknown) => void, signal: AbortSignal, idleTimeoutMs: number): Promise<void> {
    const { res, failure } = await this.request(path, signal, idleTimeoutMs);
    if (res.statusCode !== 200) throw statusError('watch', path, res.statusCode, await readBody(res));
    res.setEncoding('utf8');
    let pending = '';
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: string) => {
        pending += chunk;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() !== '') {
            let event: { type?: unknown; object?: unknown };
            try {
              event = JSON.parse(line);
            } catch (err) {
              res.destroy();
              reject(new KubeHttpError(`watch ${path}: a line is not JSON`, 200, { cause: err }));
              return;
            }
            onEvent(String(event.type), event.object);
          }
          nl = pending.indexOf('\n');
        }
      });
      res.on('end', resolve);
      res.on('error', (err) => reject(failure() ?? err));
      res.on('close', () =>
        res.complete ? resolve() : reject(failure() ?? new KubeHttpError(`watch ${path}: the connection closed mid-stream`)),
      );
    });
  }

  /** Closes idle kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /** The response once its headers are in; `failure()` says why it broke off when this client ended it (the idle timeout). */
  private request(
    path: string,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<{ res: http.IncomingMessage; failure: () => Error | undefined }> {
    const e = this.endpoint;
    const url = new URL(path, e.server);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    const auth = e.authorization();
    if (auth) headers.authorization = auth;
    return new Promise((resolve, reject) => {
      const options: https.RequestOptions = {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers,
        agent: this.agent,
        signal,
        ca: e.ca,
        cert: e.cert,
        key: e.key,
        rejectUnauthorized: !e.insecureSkipTlsVerify,
        servername: e.tlsServerName,
      };
      let failed: Error | undefined;
      const req = (url.protocol === 'https:' ? https : http).request(options, (res) => resolve({ res, failure: () => failed }));
      // An idle socket: for a GET, the server stopped answering; for a watch, a connection that
      // died silently (no RST through a NAT) would otherwise leave the names stale for good.
      req.setTimeout(timeoutMs, () => {
        failed = new KubeHttpError(`GET ${url.pathname}: no data for ${timeoutMs} ms`);
        req.destroy(failed);
      });
      req.on('error', reject);
      req.end();
    });
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let body = '';
    res.on('data', (chunk: string) => {
      body += chunk;
    });
    res.on('end', () => resolve(body));
    res.on('error', reject);
  });
}

/** The server's own message when it sent a Status object, else the start of the body. */
function statusError(what: string, path: string, status: number | undefined, body: string): KubeHttpError {
  let message = body.slice(0, 200);
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s.message === 'string') message = s.message;
  } catch {
    // not a Status object
  }
  return new KubeHttpError(`${what} ${path}: ${status}${message ? ` ${message}` : ''}`, status);
}
