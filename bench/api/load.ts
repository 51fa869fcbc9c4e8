import { createRequire } from 'node:module';

export interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  non2xx: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
interface CannonClient {
  requestIterator: { requests: Array<{ headers?: Record<string, string> }>; setRequests(r: unknown[]): void };
}
type Autocannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
// autocannon ships no types.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface EndpointLoad {
  rps: number;
  requests: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

/**
 * `connections` console users on keep-alive connections, each signed in with its own token
 * (user i holds tokens[i]), asking for `paths` in turn for `seconds`. Without `overallRate`
 * a closed loop: a user sends its next request as soon as the last one is answered, so the
 * hub runs flat out. With it, all users together send at most that many requests a second.
 */
export async function loadEndpoints(
  baseUrl: string,
  paths: string[],
  tokens: string[],
  connections: number,
  seconds: number,
  overallRate?: number,
): Promise<EndpointLoad> {
  let next = 0;
  const r = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    requests: paths.map((path) => ({ method: 'GET', path })),
    // Autocannon deep-copies the requests per connection; this gives each connection's copies its user's token.
    setupClient: (client: CannonClient) => {
      const authorization = `Bearer ${tokens[next++ % tokens.length]}`;
      const it = client.requestIterator;
      for (const req of it.requests) req.headers = { ...req.headers, authorization };
      it.setRequests(it.requests);
    },
  });
  return {
    rps: Math.round(r.requests.average * 10) / 10,
    requests: r.requests.total,
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
  };
}
