import type { FastifyInstance } from 'fastify';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** What GET /health/cluster reports about this hub among its peers. */
export interface ClusterView {
  /** `standalone` (gRPC agents only) or `nats-consumer` (shares a durable JetStream consumer with its peers). */
  role: 'standalone' | 'nats-consumer';
  hubVersion: string;
  /** The shared NATS consumer this hub pulls from with its peers, and whether it is consuming; null when not on NATS. */
  peers: () => Promise<Record<string, unknown> | null>;
}

const TIMEOUT_MS = 5_000;

/**
 * /health/live answers while the process runs; /health/ready only when every dependency
 * answers; /health/cluster says what this hub is, who shares its work and whether the
 * store and broker answer (200 even when one does not: it describes, /health/ready decides).
 */
export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessCheck[], cluster?: ClusterView): void {
  app.get('/health/live', { schema: { description: 'Answers while the process runs.' } }, async () => ({ status: 'ok' }));
  app.get(
    '/health/ready',
    { schema: { description: 'Answers 200 only when every dependency answers (503 otherwise).' } },
    async (_request, reply) => {
      const results = await runChecks(checks);
      const ok = results.every((r) => r.ok);
      reply.code(ok ? 200 : 503);
      return { status: ok ? 'ready' : 'not-ready', checks: results };
    },
  );
  if (!cluster) return;
  app.get(
    '/health/cluster',
    { schema: { description: "This hub's role, the peers sharing its NATS consumer, and whether the store and broker answer." } },
    async () => {
      const [results, peers] = await Promise.all([
        runChecks(checks),
        cluster.peers().catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) })),
      ]);
      return { role: cluster.role, hubVersion: cluster.hubVersion, peers, reachability: results };
    },
  );
}

async function runChecks(checks: ReadinessCheck[]) {
  return Promise.all(
    checks.map(async (c) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // A hung dependency must not hang the probe with it.
        await Promise.race([
          c.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
          }),
        ]);
        return { name: c.name, ok: true };
      } catch (err) {
        return { name: c.name, ok: false, error: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
