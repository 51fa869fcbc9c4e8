import type { FastifyInstance } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import type { DecisionRepository } from '../../state/repositories/decision-repository.ts';
import {
  DECISION_KINDS,
  DECISION_OUTCOMES,
  type DecisionKind,
  type DecisionOutcome,
  type DecisionRecord,
} from '../../state/repositories/decision-types.ts';

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cluster: { type: 'string', minLength: 1, maxLength: 253 },
    kind: { type: 'string', enum: [...DECISION_KINDS] },
    outcome: { type: 'string', enum: [...DECISION_OUTCOMES] },
    model: { type: 'string', enum: ['active', 'shadow', 'all'], default: 'active' },
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
    model: { type: 'string', enum: ['active', 'shadow', 'all'], default: 'active' },
  },
} as const;

const comparisonQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cluster: { type: 'string', minLength: 1, maxLength: 253 },
    hours: { type: 'integer', minimum: 1, maximum: 24 * 90, default: 24 },
  },
} as const;

type ModelSide = 'active' | 'shadow' | 'all';
const shadowFilter = (m: ModelSide | undefined): boolean | undefined => (m === 'all' ? undefined : m === 'shadow');

/** A decision as listed: the record plus one word for where it stands (`dry-run` when approved with no executor). */
function view(d: DecisionRecord) {
  const status = d.outcome === 'executed' && d.dryRun ? 'dry-run' : d.outcome;
  return { ...d, status };
}

/**
 * GET /api/v1/decisions (newest first, cursor-paged), GET /api/v1/pipeline/funnel (counts
 * per funnel stage, drop reasons), both for the active model's decisions unless `model` says
 * otherwise, and GET /api/v1/scoring/shadow/comparison (what the active and the shadow model
 * decided in the window: counts, expected savings, interruption risk avoided).
 */
export function registerDecisionRoutes(
  app: FastifyInstance,
  deps: { decisions: DecisionRepository; tenantOf: (request: unknown) => string | null; now: () => number },
): void {
  app.get('/api/v1/decisions', { schema: { querystring: listQuery } }, async (request) => {
    const q = request.query as {
      cluster?: string;
      kind?: DecisionKind;
      outcome?: DecisionOutcome;
      model?: ModelSide;
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
      shadow: shadowFilter(q.model),
      from,
      to,
      limit: q.limit,
      cursor: q.cursor,
    });
    return { decisions: page.items.map(view), nextCursor: page.nextCursor };
  });

  app.get('/api/v1/pipeline/funnel', { schema: { querystring: funnelQuery } }, async (request) => {
    const q = request.query as { cluster?: string; hours?: number; model?: ModelSide };
    // Inclusive of now: a decision made this millisecond counts.
    const to = deps.now() + 1;
    const from = to - (q.hours ?? 24) * 3_600_000;
    const counts = await deps.decisions.funnel({
      clientId: deps.tenantOf(request),
      clusterId: q.cluster,
      shadow: shadowFilter(q.model),
      from,
      to,
    });
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...counts };
  });

  app.get('/api/v1/scoring/shadow/comparison', { schema: { querystring: comparisonQuery } }, async (request) => {
    const q = request.query as { cluster?: string; hours?: number };
    // Inclusive of now: a decision made this millisecond counts.
    const to = deps.now() + 1;
    const from = to - (q.hours ?? 24) * 3_600_000;
    const c = await deps.decisions.compareModels({ clientId: deps.tenantOf(request), clusterId: q.cluster, from, to });
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...c,
      difference: {
        validated: c.shadow.validated - c.active.validated,
        expectedSavingsPerHourUsd: round6(c.shadow.expectedSavingsPerHourUsd - c.active.expectedSavingsPerHourUsd),
        riskReductionPerHourUsd: round6(c.shadow.riskReductionPerHourUsd - c.active.riskReductionPerHourUsd),
      },
    };
  });
}
