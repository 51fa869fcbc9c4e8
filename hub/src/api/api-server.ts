import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Catalog } from '../catalog/catalog.ts';
import { ApiError } from '../errors/api-error.ts';
import { componentToApiError } from '../errors/component-errors.ts';
import { headerActor } from '../governance/actor.ts';
import type { AgentRegistry } from '../ingest/agent-registry.ts';
import type { ActionsPlane } from '../jobs/actions-plane.ts';
import type { PoolBoard } from '../pools/pool-board.ts';
import type { DecisionRepository } from '../state/repositories/decision-repository.ts';
import type { ScoringModelRepository } from '../state/repositories/scoring-model-repository.ts';
import type { MetricsStore } from '../store/metrics-store.ts';
import { registerApprovalRoutes } from './routes/approval-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerDecisionRoutes } from './routes/decision-routes.ts';
import { registerGovernanceRoutes } from './routes/governance-routes.ts';
import { type ReadinessCheck, registerHealthRoutes } from './routes/health-routes.ts';
import { registerJobRoutes } from './routes/job-routes.ts';
import { registerMetricsCatalogRoutes } from './routes/metrics-catalog-routes.ts';
import { registerMetricsQueryRoute } from './routes/metrics-query-route.ts';
import { registerNodesRoute } from './routes/nodes-route.ts';
import { registerPoolRoutes } from './routes/pool-routes.ts';
import { registerScoringModelRoutes } from './routes/scoring-model-routes.ts';
import { registerStorageRoutes } from './routes/storage-routes.ts';
import { registerStorageUsageRoute } from './routes/storage-usage-route.ts';
import { validationToApiError } from './validation-error.ts';

export interface ApiServerDeps {
  store: MetricsStore;
  registry: AgentRegistry;
  readiness: ReadinessCheck[];
  consoleDir: string;
  defaultTenant: string;
  now: () => number;
  /** The metadata-backed parts; absent in tools that serve metrics only. */
  decisions?: DecisionRepository;
  /** Jobs, storage cleanup, governance, approvals and audit (a hub with a cloud). */
  actions?: ActionsPlane;
  scoring?: { models: ScoringModelRepository; board: PoolBoard; catalog: Pick<Catalog, 'spotPrice' | 'onDemandPrice' | 'now'> };
}

/** Builds the REST API and console server; listening is the caller's. */
export async function buildApiServer(deps: ApiServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // Ajv's default strips unknown query parameters silently; the API refuses them instead.
    ajv: { customOptions: { removeAdditional: false } },
    // Longer than any URL Node accepts, so an over-long path parameter reaches the schema and
    // gets a 400 that names it rather than a 404.
    routerOptions: { maxParamLength: 16_384 },
  });
  // Single-tenant until sign-in exists: every request sees the default tenant.
  const tenantOf = () => deps.defaultTenant;

  app.setErrorHandler((err, request, reply) => {
    const known = componentToApiError(err);
    if (known && known.status < 500) return reply.code(known.status).send(known.toBody());
    if (known) {
      reply.log.error(err);
      return reply.code(known.status).send(known.toBody());
    }
    if (Array.isArray((err as { validation?: unknown }).validation)) {
      const apiError = validationToApiError(err as Parameters<typeof validationToApiError>[0], request);
      return reply.code(apiError.status).send(apiError.toBody());
    }
    const status = typeof (err as { statusCode?: number }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: { code: 'BAD_PARAMETER', message: (err as Error).message } });
    reply.log.error(err);
    return reply.code(500).send(new ApiError('INTERNAL', `internal error: ${(err as Error).message}`).toBody());
  });

  registerHealthRoutes(app, deps.readiness);
  registerNodesRoute(app, { registry: deps.registry, tenantOf });
  registerMetricsQueryRoute(app, { store: deps.store, now: deps.now, tenantOf });
  registerMetricsCatalogRoutes(app, { store: deps.store, tenantOf });
  registerStorageUsageRoute(app, { store: deps.store });
  if (deps.decisions) registerDecisionRoutes(app, { decisions: deps.decisions, tenantOf, now: deps.now });
  if (deps.actions) {
    // Until sign-in is wired, the actor is what the X-Ballast-Actor header says (default "api").
    const actorOf = headerActor;
    const a = deps.actions;
    registerJobRoutes(app, { jobs: a.jobs, tenantOf, actorOf });
    registerStorageRoutes(app, { inventory: a.inventory, jobs: a.jobs, tenantOf, actorOf });
    registerGovernanceRoutes(app, { unregistered: a.unregistered, jobs: a.jobs, tenantOf, actorOf });
    registerApprovalRoutes(app, { approvals: a.approvals, tenantOf, actorOf });
    registerAuditRoutes(app, { audit: a.audit, tenantOf });
  }
  if (deps.scoring) {
    // Until sign-in exists every change is made by the same actor; the audit log will name users.
    registerScoringModelRoutes(app, { models: deps.scoring.models, board: deps.scoring.board, now: deps.now, actorOf: () => 'api' });
    registerPoolRoutes(app, { board: deps.scoring.board, catalog: deps.scoring.catalog });
  }

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
