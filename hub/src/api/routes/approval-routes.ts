import type { FastifyInstance, FastifyRequest } from 'fastify';
import { object, uuid } from '../../auth/schemas.ts';
import { badParameter } from '../../errors/api-error.ts';
import { type ActorOf, sourceIpOf } from '../../governance/actor.ts';
import type { ApprovalService } from '../../governance/approval-service.ts';
import { answering } from '../../jobs/job-api-errors.ts';
import { approvalView } from '../../jobs/job-views.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import { APPROVAL_STATUSES, type ApprovalStatus } from '../../state/repositories/approval-repository.ts';
import { strictValidator } from '../strict-body.ts';

export interface ApprovalRouteDeps {
  approvals: ApprovalService;
  tenantOf: (request: FastifyRequest) => string;
  actorOf: ActorOf;
}

const idParams = object({ id: uuid }, ['id']);

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...APPROVAL_STATUSES, 'all'], default: 'pending' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 2000 },
  },
} as const;

/**
 * GET /api/v1/approvals (pending by default), POST /api/v1/approvals/{id}/approve and
 * /reject with a reason. The requester cannot approve their own request (409); rejecting
 * cancels the job.
 */
/** A blank reason is refused by the handler, naming it. */
const DECISION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
} as const;

export function registerApprovalRoutes(app: FastifyInstance, deps: ApprovalRouteDeps): void {
  app.get('/api/v1/approvals', { schema: { querystring: listQuery } }, async (request) => {
    const q = request.query as { status?: ApprovalStatus | 'all'; limit?: number; cursor?: string };
    const status = q.status === 'all' ? undefined : (q.status ?? 'pending');
    const page = await deps.approvals.list({ clientId: deps.tenantOf(request), status, limit: q.limit, cursor: q.cursor });
    return { approvals: page.items.map(approvalView), nextCursor: page.nextCursor };
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/approvals/:id/${decision}`,
      { schema: { params: idParams, body: DECISION_BODY }, validatorCompiler: strictValidator },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const actor = deps.actorOf(request);
        const reason = (BodyReader.of(request.body, ['reason']).string('reason', { required: true, max: 1000 }) ?? '').trim();
        if (reason === '') throw badParameter('reason', 'must not be blank: say why, for the audit log');
        const who = { actor, sourceIp: sourceIpOf(request) };
        return answering(reply, async () => {
          const tenant = deps.tenantOf(request);
          const a =
            decision === 'approve'
              ? await deps.approvals.approve(tenant, id, who, reason)
              : await deps.approvals.reject(tenant, id, who, reason);
          return approvalView(a);
        });
      },
    );
  }
}
