import { Agent, request } from 'node:http';

export interface PollingResult {
  /** Polls started; each asks every path at once. */
  polls: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Answers other than 200, and requests that failed, by status or error. */
  failures: Record<string, number>;
}

/**
 * `users` people with the Live Operations page open: each, at its own random phase, every
 * `intervalMs` asks for all of `paths` at once (as the page's pollers do) over its own
 * keep-alive connections (at most 6, as a browser holds per host), with its own token.
 * Open loop: a slow answer does not delay the next poll. Latency is per request, from
 * sending it to the end of its answer.
 */
export async function pollAsConsoleUsers(
  baseUrl: string,
  paths: string[],
  tokens: string[],
  o: { users: number; intervalMs: number; seconds: number },
): Promise<PollingResult> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const agents = Array.from({ length: o.users }, () => new Agent({ keepAlive: true, maxSockets: 6 }));
  const inFlight = new Set<Promise<void>>();
  const get = (user: number, path: string) => {
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      const req = request(
        `${baseUrl}${path}`,
        { agent: agents[user], headers: { authorization: `Bearer ${tokens[user % tokens.length]}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - started);
            if (res.statusCode !== 200) failures[String(res.statusCode)] = (failures[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        failures[err.message] = (failures[err.message] ?? 0) + 1;
        resolve();
      });
      req.end();
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  let polls = 0;
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const endAt = performance.now() + o.seconds * 1000;
  for (let u = 0; u < o.users; u++) {
    const poll = () => {
      if (performance.now() >= endAt) return;
      polls += 1;
      for (const p of paths) get(u, p);
      timers.push(setTimeout(poll, o.intervalMs));
    };
    timers.push(setTimeout(poll, Math.random() * o.intervalMs));
  }
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  for (const t of timers) clearTimeout(t);
  await Promise.all(inFlight);
  for (const a of agents) a.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN) * 10) / 10;
  return {
    polls,
    requests: sorted.length,
    rps: Math.round((sorted.length / o.seconds) * 10) / 10,
    p50_ms: at(0.5),
    p90_ms: at(0.9),
    p99_ms: at(0.99),
    max_ms: Math.round((sorted.at(-1) ?? Number.NaN) * 10) / 10,
    failures,
  };
}
