import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import type { AgentRegistry } from '../ingest/agent-registry.ts';
import type { MetricsStore } from '../store/metrics-store.ts';
import { type ReadinessCheck, registerHealthRoutes } from './routes/health-routes.ts';
import { registerMetricsQueryRoute } from './routes/metrics-query-route.ts';
import { registerNodesRoute } from './routes/nodes-route.ts';

export interface ApiServerDeps {
  store: MetricsStore;
  registry: AgentRegistry;
  readiness: ReadinessCheck[];
  consoleDir: string;
  defaultTenant: string;
  now: () => number;
}

/** Builds the REST API and console server; listening is the caller's. */
export async function buildApiServer(deps: ApiServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  // Single-tenant until sign-in exists: every request sees the default tenant.
  const tenantOf = () => deps.defaultTenant;

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.toBody());
    const status = typeof (err as { statusCode?: number }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: { code: 'BAD_PARAMETER', message: (err as Error).message } });
    reply.log.error(err);
    return reply.code(500).send(new ApiError('INTERNAL', `internal error: ${(err as Error).message}`).toBody());
  });

  registerHealthRoutes(app, deps.readiness);
  registerNodesRoute(app, { registry: deps.registry, tenantOf });
  registerMetricsQueryRoute(app, { store: deps.store, now: deps.now, tenantOf });

  if (existsSync(deps.consoleDir)) {
    await app.register(fastifyStatic, { root: deps.consoleDir, prefix: '/' });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || path.startsWith('/health/') || !existsSync(deps.consoleDir)) {
      const hint = existsSync(deps.consoleDir) ? '' : ' (the console is not built: run npm run build:console)';
      return reply.code(404).send(new ApiError('NOT_FOUND', `no route ${request.method} ${path}${hint}`).toBody());
    }
    // Client-side routes of the console all load index.html.
    return reply.sendFile('index.html');
  });
  return app;
}
