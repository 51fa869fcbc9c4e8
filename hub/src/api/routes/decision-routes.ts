import type { FastifyInstance } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import type { DecisionRepository } from '../../state/repositories/decision-repository.ts';
import { DECISION_KINDS, DECISION_OUTCOMES, type DecisionKind, type DecisionOutcome } from '../../state/repositories/decision-types.ts';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cluster: { type: 'string', minLength: 1, maxLength: 253 },
    kind: { type: 'string', enum: [...DECISION_KINDS] },
    outcome: { type: 'string', enum: [...DECISION_OUTCOMES] },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 2000 },
  },
} as const;

const funnelQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cluster: { type: 'string', minLength: 1, maxLength: 253 },
    hours: { type: 'integer', minimum: 1, maximum: 24 * 90, default: 24 },
  },
} as const;

/** GET /api/v1/decisions (newest first, cursor-paged) and GET /api/v1/pipeline/funnel (counts per funnel stage). */
export function registerDecisionRoutes(
  app: FastifyInstance,
  deps: { decisions: DecisionRepository; tenantOf: (request: unknown) => string | null; now: () => number },
): void {
  app.get('/api/v1/decisions', { schema: { querystring: listQuery } }, async (request) => {
    const q = request.query as {
      cluster?: string;
      kind?: DecisionKind;
      outcome?: DecisionOutcome;
      from?: string;
      to?: string;
      limit?: number;
      cursor?: string;
    };
    const from = q.from === undefined ? undefined : Date.parse(q.from);
    const to = q.to === undefined ? undefined : Date.parse(q.to);
    if (from !== undefined && to !== undefined && from >= to) throw badParameter('from', 'must be before to');
    const page = await deps.decisions.list({
      clientId: deps.tenantOf(request),
      clusterId: q.cluster,
      kind: q.kind,
      outcome: q.outcome,
      from,
      to,
      limit: q.limit,
      cursor: q.cursor,
    });
    return { decisions: page.items, nextCursor: page.nextCursor };
  });

  app.get('/api/v1/pipeline/funnel', { schema: { querystring: funnelQuery } }, async (request) => {
    const q = request.query as { cluster?: string; hours?: number };
    const to = deps.now();
    const from = to - (q.hours ?? 24) * 3_600_000;
    const counts = await deps.decisions.funnel({ clientId: deps.tenantOf(request), clusterId: q.cluster, from, to });
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...counts };
  });
}
