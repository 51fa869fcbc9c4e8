import type { FastifyInstance, FastifyRequest } from 'fastify';
import { object, uuid } from '../../auth/schemas.ts';
import { type ActorOf, sourceIpOf } from '../../governance/actor.ts';
import { answering } from '../../jobs/job-api-errors.ts';
import type { JobService } from '../../jobs/job-service.ts';
import { jobDetailView, jobView } from '../../jobs/job-views.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import { JOB_STATUSES, type JobStatus } from '../../state/repositories/job-types.ts';

export interface JobRouteDeps {
  jobs: JobService;
  tenantOf: (request: FastifyRequest) => string;
  actorOf: ActorOf;
}

const idParams = object({ id: uuid }, ['id']);

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...JOB_STATUSES] },
    kind: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    requestedBy: { type: 'string', minLength: 1, maxLength: 200 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 2000 },
  },
} as const;

const detailQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { logLimit: { type: 'integer', minimum: 1, maximum: 500, default: 500 } },
} as const;

/**
 * GET /api/v1/jobs (newest first, filtered, cursor-paged), GET /api/v1/jobs/{id} (steps,
 * logs, progress, approvals), POST /api/v1/jobs/{id}/cancel and /retry.
 */
export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  app.get('/api/v1/jobs', { schema: { querystring: listQuery } }, async (request) => {
    const q = request.query as { status?: JobStatus; kind?: string; requestedBy?: string; limit?: number; cursor?: string };
    const page = await deps.jobs.list({ clientId: deps.tenantOf(request), ...q });
    return { jobs: page.items.map(jobView), nextCursor: page.nextCursor };
  });

  app.get('/api/v1/jobs/:id', { schema: { params: idParams, querystring: detailQuery } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { logLimit } = request.query as { logLimit?: number };
    return answering(reply, async () => jobDetailView(await deps.jobs.detail(deps.tenantOf(request), id, logLimit)));
  });

  // Cancel: 200 with the job, cancelled at once unless a runner holds it (then cancelRequested, status running).
  app.post('/api/v1/jobs/:id/cancel', { schema: { params: idParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const actor = deps.actorOf(request);
    const body = BodyReader.of(request.body, ['reason']);
    const reason = body.string('reason', { max: 1000 }) ?? '';
    return answering(reply, async () =>
      jobView(await deps.jobs.cancel(deps.tenantOf(request), id, { actor, sourceIp: sourceIpOf(request) }, reason)),
    );
  });

  app.post('/api/v1/jobs/:id/retry', { schema: { params: idParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const actor = deps.actorOf(request);
    BodyReader.of(request.body, []);
    return answering(reply, async () => {
      const { job, approval } = await deps.jobs.retry(deps.tenantOf(request), id, { actor, sourceIp: sourceIpOf(request) });
      return reply.code(202).send({ job: jobView(job), approval: approval ? { id: approval.id, status: approval.status } : null });
    });
  });
}
