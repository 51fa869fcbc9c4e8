import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import { type ActorOf, sourceIpOf } from '../../governance/actor.ts';
import { answering } from '../../jobs/job-api-errors.ts';
import { approvalView, iso, jobView } from '../../jobs/job-views.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import { MAX_PARALLEL_LIMIT } from '../../overrides/move-kinds.ts';
import type { OverrideService } from '../../overrides/override-service.ts';
import type { OverrideLevel, OverrideRecord } from '../../state/repositories/override-repository.ts';
import { strictValidator } from '../strict-body.ts';

export interface OverrideRouteDeps {
  overrides: OverrideService;
  /** The caller's client; null for hub staff, who act on the client a client-level path names, else the default. */
  tenantOf: (request: FastifyRequest) => string | null;
  defaultTenant: string;
  actorOf: ActorOf;
  /** Nodes a force on-demand moves at once when the request names no `max_parallel`. Default 2. */
  defaultParallel?: number;
}

/** A force lasts at most a year; longer is "until lifted" (omit duration_hours). */
export const MAX_DURATION_HOURS = 8_760;

const ID_PATTERNS: Record<OverrideLevel, string> = {
  instance: '^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$',
  cluster: '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$',
  client: '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$',
};

const PATHS: Record<OverrideLevel, string> = {
  instance: '/api/v1/instances/:id/force-on-demand',
  cluster: '/api/v1/clusters/:id/force-on-demand',
  client: '/api/v1/clients/:id/force-on-demand',
};

const paramsSchema = (level: OverrideLevel) =>
  ({
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', pattern: ID_PATTERNS[level] } },
  }) as const;

/** Documents the body for OpenAPI; BodyReader enforces it (naming the field, never coercing "2" to 2). */
export const FORCE_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    duration_hours: { type: 'number', exclusiveMinimum: 0, maximum: MAX_DURATION_HOURS },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
    max_parallel: { type: 'integer', minimum: 1, maximum: MAX_PARALLEL_LIMIT },
  },
} as const;

export function overrideView(o: OverrideRecord) {
  return {
    id: o.id,
    level: o.level,
    targetId: o.targetId,
    clusterId: o.clusterId,
    reason: o.reason,
    createdBy: o.createdBy,
    createdAt: iso(o.createdAt),
    expiresAt: iso(o.expiresAt),
    liftedAt: iso(o.liftedAt),
    liftedBy: o.liftedBy,
  };
}

function durationHours(body: BodyReader, raw: unknown): number | null {
  if (!body.has('duration_hours')) return null;
  const v = (raw as Record<string, unknown>).duration_hours;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badParameter('duration_hours', 'must be a number of hours');
  if (v <= 0) throw badParameter('duration_hours', 'must be positive (omit it to force until lifted)');
  if (v > MAX_DURATION_HOURS) throw badParameter('duration_hours', `must be at most ${MAX_DURATION_HOURS} (omit it to force until lifted)`);
  return v;
}

/**
 * Force on-demand at instance, cluster and client level: POST stores the override (with
 * its expiry) and starts the job that moves the affected spot nodes, DELETE lifts it (and
 * starts the move back to spot), GET /api/v1/overrides lists the active ones. A malformed
 * body is a 400 naming the field, before anything is stored.
 */
export function registerOverrideRoutes(app: FastifyInstance, deps: OverrideRouteDeps): void {
  const clientOf = async (request: FastifyRequest, level: 'instance' | 'cluster' | 'client', id: string): Promise<string> => {
    const tenant = deps.tenantOf(request);
    if (tenant !== null) return tenant;
    if (level === 'client') return id;
    return (await deps.overrides.ownerOf(level, id)) ?? deps.defaultTenant;
  };
  for (const level of ['instance', 'cluster', 'client'] as const) {
    app.post(
      PATHS[level],
      { schema: { params: paramsSchema(level), body: FORCE_BODY_SCHEMA }, validatorCompiler: strictValidator },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const actor = deps.actorOf(request);
        const body = BodyReader.of(request.body, Object.keys(FORCE_BODY_SCHEMA.properties));
        const hours = durationHours(body, request.body);
        const reason = body.string('reason', { max: 500 })?.trim() || `forced on-demand by ${actor}`;
        const maxParallel = body.integer('max_parallel', { min: 1, max: MAX_PARALLEL_LIMIT }) ?? deps.defaultParallel ?? 2;
        const clientId = await clientOf(request, level, id);
        // A client-level force names the caller's own client; another client's is not theirs to see.
        if (level === 'client' && id !== clientId)
          return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no client ${id}` } });
        return answering(reply, async () => {
          const out = await deps.overrides.force({
            clientId,
            level,
            targetId: id,
            durationHours: hours,
            reason,
            maxParallel,
            actor,
            sourceIp: sourceIpOf(request),
          });
          return reply.code(202).send({
            override: overrideView(out.override),
            job: jobView(out.job),
            approval: out.approval ? approvalView(out.approval) : null,
          });
        });
      },
    );

    app.delete(PATHS[level], { schema: { params: paramsSchema(level) } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      BodyReader.of(request.body, []);
      const actor = deps.actorOf(request);
      const clientId = await clientOf(request, level, id);
      if (level === 'client' && id !== clientId) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no client ${id}` } });
      return answering(reply, async () => {
        const out = await deps.overrides.lift(clientId, level, id, { actor, sourceIp: sourceIpOf(request) });
        return { lifted: out.lifted.map(overrideView), reverts: out.reverts.map(jobView) };
      });
    });
  }

  app.get(
    '/api/v1/overrides',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } },
    async (request) => {
      const active = await deps.overrides.listActive(deps.tenantOf(request));
      return { overrides: active.map(overrideView) };
    },
  );
}
