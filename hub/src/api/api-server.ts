import { existsSync } from 'node:fs';
import type { Clock } from '@ballast/common';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AuthDeps } from '../auth/auth-runtime.ts';
import { registerHttpHygiene } from '../auth/http-hygiene.ts';
import { actorOf, type Principal, tenantOf } from '../auth/principal.ts';
import { registerAuth } from '../auth/register-auth.ts';
import { recordRoutes } from '../auth/route-list.ts';
import { registerTrustedPrincipal } from '../auth/trusted-principal.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { API_ERRORS, ApiError, type ApiErrorCode } from '../errors/api-error.ts';
import { componentToApiError } from '../errors/component-errors.ts';
import type { FleetMetrics } from '../fleet/fleet-metrics.ts';
import type { ClientDirectory, PriceSource } from '../fleet/fleet-sources.ts';
import type { PipelineHealth } from '../fleet/pipeline-health.ts';
import type { AgentRegistry } from '../ingest/agent-registry.ts';
import type { ActionsPlane } from '../jobs/actions-plane.ts';
import type { HubMetricsSources } from '../observability/hub-metrics.ts';
import { registerMetricsRoute } from '../observability/metrics-route.ts';
import { fastifyLoggerOptions, type RequestLogOptions, registerRequestLog } from '../observability/request-log.ts';
import type { PoolBoard } from '../pools/pool-board.ts';
import type { DecisionRepository } from '../state/repositories/decision-repository.ts';
import type { ScoringModelRepository } from '../state/repositories/scoring-model-repository.ts';
import type { MetricsStore } from '../store/metrics-store.ts';
import type { EventBus } from '../stream/event-bus.ts';
import { registerOpenApi } from './openapi/register-openapi.ts';
import type { PoolScoreSource } from './routes/alternatives-routes.ts';
import { registerAlternativesRoutes } from './routes/alternatives-routes.ts';
import { registerApprovalRoutes } from './routes/approval-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerClientRoutes } from './routes/client-routes.ts';
import { registerDecisionRoutes } from './routes/decision-routes.ts';
import { registerEnrolmentRoutes } from './routes/enrolment-routes.ts';
import { registerFleetMetricsRoutes } from './routes/fleet-metrics-routes.ts';
import { registerGovernanceRoutes } from './routes/governance-routes.ts';
import { type ClusterView, type ReadinessCheck, registerHealthRoutes } from './routes/health-routes.ts';
import { registerJobRoutes } from './routes/job-routes.ts';
import { registerKillSwitchRoutes } from './routes/kill-switch-routes.ts';
import { registerMetricsCatalogRoutes } from './routes/metrics-catalog-routes.ts';
import { registerMetricsQueryRoute } from './routes/metrics-query-route.ts';
import { registerNodesRoute } from './routes/nodes-route.ts';
import { registerOverrideRoutes } from './routes/override-routes.ts';
import { registerPipelineStatusRoutes } from './routes/pipeline-status-routes.ts';
import { registerPoolRoutes } from './routes/pool-routes.ts';
import { registerSavingsOverviewRoutes } from './routes/savings-overview-routes.ts';
import { registerScoringModelRoutes } from './routes/scoring-model-routes.ts';
import { registerStorageRoutes } from './routes/storage-routes.ts';
import { registerStorageUsageRoute } from './routes/storage-usage-route.ts';
import { registerStreamRoutes } from './routes/stream-routes.ts';
import { registerSwitchRoutes } from './routes/switch-routes.ts';
import { registerTokenRoutes } from './routes/token-routes.ts';
import { registerTopologyRoutes } from './routes/topology-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
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
  /**
   * Sign-in (the hub always): sessions, API tokens, the route policy and the account routes.
   * `trustedPrincipal`: every request acts as that principal with no credentials asked — for
   * in-process tools and tests whose subject is not access, never for a listening hub.
   */
  auth: AuthDeps | { trustedPrincipal: Principal };
  /** Headers, CORS and rate limit; default: security headers only, no CORS, no limit. */
  http?: { corsOrigins?: readonly string[]; ratePerMinute?: number };
  /** JSON request logs (pino, secrets redacted); absent: silent. */
  log?: RequestLogOptions;
  /** GET /metrics; absent: not served. */
  hubMetrics?: HubMetricsSources;
  /** GET /health/cluster; absent: not served. */
  cluster?: ClusterView;
  /** GET /api/v1/stream (WebSocket and SSE); absent: not served. */
  stream?: { bus: EventBus; clock: Clock; heartbeatMs?: number };
  /** The console's fleet numbers, topology, savings, alternatives and pipeline status; absent: not served. */
  fleet?: {
    metrics: FleetMetrics;
    health: PipelineHealth;
    clients: ClientDirectory;
    /** Pool scores (the PoolBoard); absent without a cloud: no alternatives route. */
    board?: PoolScoreSource;
    prices?: PriceSource;
    /** When a node joined its cluster (the decision loops read it); absent: topology shows no launch times. */
    nodeCreatedAtMs?: (clientId: string, clusterId: string, node: string) => number | null;
  };
  /** Shown in the OpenAPI document. */
  version?: string;
}

/** Builds the REST API and console server; listening is the caller's. */
export async function buildApiServer(deps: ApiServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...fastifyLoggerOptions(deps.log),
    // Ajv's default strips unknown query parameters silently; the API refuses them instead.
    ajv: { customOptions: { removeAdditional: false } },
    // Longer than any URL Node accepts, so an over-long path parameter reaches the schema and
    // gets a 400 that names it rather than a 404.
    routerOptions: { maxParamLength: 16_384 },
  });
  // Hub staff (bound to no client) read every tenant: these routes' repositories take null as "all".
  // Their deps still say string (see the helper-A report); null is what they are meant to get.
  const scope = tenantOf as (request: FastifyRequest) => string;
  // Routes that store or read one tenant's rows (metrics series, new jobs): hub staff act in the default tenant.
  const oneTenant = (request: unknown) => tenantOf(request) ?? deps.defaultTenant;

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
    if (status < 500) {
      // A 4xx Fastify raised itself: the registry's code for that status, so code and status never disagree.
      const code = (Object.entries(API_ERRORS).find(([, s]) => s === status)?.[0] ?? 'BAD_PARAMETER') as ApiErrorCode;
      return reply.code(status).send(new ApiError(code, (err as Error).message).toBody());
    }
    reply.log.error(err);
    return reply.code(500).send(new ApiError('INTERNAL', `internal error: ${(err as Error).message}`).toBody());
  });

  recordRoutes(app);
  registerRequestLog(app);
  await registerHttpHygiene(app, { corsOrigins: deps.http?.corsOrigins ?? [], ratePerMinute: deps.http?.ratePerMinute ?? 0 });
  await registerOpenApi(app, deps.version ?? '0.0.0');
  if ('trustedPrincipal' in deps.auth) registerTrustedPrincipal(app, deps.auth.trustedPrincipal);
  else {
    const rt = await registerAuth(app, deps.auth);
    registerAuthRoutes(app, rt);
    registerUserRoutes(app, rt);
    registerTokenRoutes(app, rt);
    registerEnrolmentRoutes(app, rt);
    registerClientRoutes(app, rt);
  }

  registerHealthRoutes(app, deps.readiness, deps.cluster);
  if (deps.hubMetrics) registerMetricsRoute(app, deps.hubMetrics);
  registerNodesRoute(app, { registry: deps.registry, tenantOf });
  registerMetricsQueryRoute(app, { store: deps.store, now: deps.now, tenantOf: oneTenant });
  registerMetricsCatalogRoutes(app, { store: deps.store, tenantOf: oneTenant });
  registerStorageUsageRoute(app, { store: deps.store });
  if (deps.decisions) registerDecisionRoutes(app, { decisions: deps.decisions, tenantOf, now: deps.now });
  if (deps.actions) {
    const a = deps.actions;
    registerJobRoutes(app, { jobs: a.jobs, tenantOf: scope, actorOf });
    registerStorageRoutes(app, { inventory: a.inventory, jobs: a.jobs, tenantOf: oneTenant, actorOf });
    registerGovernanceRoutes(app, { unregistered: a.unregistered, jobs: a.jobs, tenantOf: oneTenant, actorOf });
    registerApprovalRoutes(app, { approvals: a.approvals, tenantOf: scope, actorOf });
    registerAuditRoutes(app, { audit: a.audit, tenantOf: scope });
    registerSwitchRoutes(app, { history: a.switchHistory, tenantOf: oneTenant });
    registerOverrideRoutes(app, { overrides: a.overrides, tenantOf, actorOf, defaultTenant: deps.defaultTenant });
    registerKillSwitchRoutes(app, { killSwitch: a.killSwitch, actorOf });
  }
  if (deps.stream) await registerStreamRoutes(app, { ...deps.stream, tenantOf });
  if (deps.fleet) {
    const f = deps.fleet;
    registerFleetMetricsRoutes(app, { metrics: f.metrics, tenantOf });
    registerTopologyRoutes(app, {
      metrics: f.metrics,
      clients: f.clients,
      tenantOf,
      now: deps.now,
      ...(f.nodeCreatedAtMs ? { nodeCreatedAtMs: f.nodeCreatedAtMs } : {}),
    });
    registerSavingsOverviewRoutes(app, { metrics: f.metrics, clients: f.clients, tenantOf });
    registerPipelineStatusRoutes(app, { health: f.health });
    if (f.board && f.prices) registerAlternativesRoutes(app, { metrics: f.metrics, board: f.board, prices: f.prices, tenantOf });
  }
  if (deps.scoring) {
    registerScoringModelRoutes(app, { models: deps.scoring.models, board: deps.scoring.board, now: deps.now, actorOf });
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
