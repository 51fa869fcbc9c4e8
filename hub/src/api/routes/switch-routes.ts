import type { FastifyInstance, FastifyRequest } from 'fastify';
import { iso } from '../../jobs/job-views.ts';
import type { SwitchHistoryRecord, SwitchHistoryRepository } from '../../state/repositories/switch-history-repository.ts';

export interface SwitchRouteDeps {
  history: SwitchHistoryRepository;
  tenantOf: (request: FastifyRequest) => string;
}

const params = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$' } },
} as const;

const query = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
} as const;

export function switchView(s: SwitchHistoryRecord) {
  return {
    jobId: s.jobId,
    clusterId: s.clusterId,
    instanceId: s.instanceId,
    replacementId: s.replacementId,
    from: s.from,
    to: s.to,
    reason: s.reason,
    savingsPerHour: s.savingsPerHour,
    decisionId: s.decisionId,
    outcome: s.outcome,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
  };
}

/** GET /api/v1/instances/{id}/switch-history: the switches that replaced the instance or launched it, newest first. */
export function registerSwitchRoutes(app: FastifyInstance, deps: SwitchRouteDeps): void {
  app.get('/api/v1/instances/:id/switch-history', { schema: { params, querystring: query } }, async (request) => {
    const { id } = request.params as { id: string };
    const { limit } = request.query as { limit?: number };
    const rows = await deps.history.forInstance(deps.tenantOf(request), id, limit ?? 100);
    return { instanceId: id, switches: rows.map(switchView) };
  });
}
