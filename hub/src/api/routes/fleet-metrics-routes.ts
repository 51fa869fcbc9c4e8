import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fleetRead } from '../../fleet/fleet-errors.ts';
import type { FleetMetrics } from '../../fleet/fleet-metrics.ts';

export interface FleetMetricsRouteDeps {
  metrics: FleetMetrics;
  /** The tenant the caller may see; null: every tenant. */
  tenantOf: (request: FastifyRequest) => string | null;
}

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const error = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: str, message: str, parameter: str } } },
} as const;

const clusterCounts = (props: Record<string, unknown>) =>
  ({ type: 'array', items: { type: 'object', properties: { tenant: str, cluster: str, ...props } } }) as const;

const activeSchema = {
  description: 'Instances whose agents are connected to the hub now, split by lifecycle (spot, on-demand, other) and by cluster.',
  querystring: noQuery,
  response: {
    200: {
      type: 'object',
      properties: {
        at: time,
        total: num,
        spot: num,
        onDemand: num,
        other: num,
        clusters: clusterCounts({ total: num, spot: num, onDemand: num }),
      },
    },
    503: error,
  },
};

const riskSchema = {
  description:
    'Risk detected: spot interruption notices plus rebalance recommendations the agents reported in the last `hours` (default 24), from the events table; an event re-sent by an agent counts once.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { hours: { type: 'integer', minimum: 1, maximum: 24 * 30, default: 24 } },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        from: time,
        to: time,
        total: num,
        interruptions: num,
        rebalances: num,
        clusters: clusterCounts({ interruptions: num, rebalances: num }),
      },
    },
    503: error,
  },
};

const totals = {
  onDemandUsd: num,
  actualUsd: num,
  savingsUsd: num,
  nodeHours: num,
  unpricedNodeHours: num,
} as const;

const savingsSchema = {
  description: `Cost savings vs on-demand (savings = on-demand price of the same type × hours − what was paid).
realized: over the last \`days\` (default 30): every hour in which the hub stored data from a node's agent counts as one
node-hour at the node's pool price (spot price of its type and zone, or on-demand) vs the on-demand price of its type;
node-hours without a known price are counted apart (unpricedNodeHours). Reaches back as far as the ingest ledger's retention.
projectedMonthly: the instances running now at current prices, × 730 hours. Prices are the catalog's current ones.`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { days: { type: 'integer', minimum: 1, maximum: 90, default: 30 } },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        realized: { type: 'object', properties: { from: time, to: time, ...totals, savingsPercent: nullableNum } },
        projectedMonthly: {
          type: 'object',
          properties: {
            hoursPerMonth: num,
            onDemandUsd: num,
            actualUsd: num,
            savingsUsd: num,
            savingsPercent: nullableNum,
            instances: num,
            unpricedInstances: num,
          },
        },
      },
    },
    503: error,
  },
};

const pool = { type: ['object', 'null'], properties: { instanceType: str, zone: str, capacityType: str } } as const;

const optimizationsSchema = {
  description:
    'Optimizations: switches executed in the last `hours` (default 24 × 7): the count by reason (replace, fallback-on-demand, revert-to-spot, consolidate, …), the hourly savings they were expected to bring, and the latest `limit` of them.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      hours: { type: 'integer', minimum: 1, maximum: 24 * 90, default: 168 },
      limit: { type: 'integer', minimum: 0, maximum: 500, default: 20 },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        from: time,
        to: time,
        total: num,
        byReason: { type: 'object', additionalProperties: num },
        expectedSavingsPerHour: num,
        latest: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              tenant: str,
              cluster: str,
              node: { type: ['string', 'null'] },
              instanceId: { type: ['string', 'null'] },
              reason: str,
              from: pool,
              to: pool,
              at: time,
              expectedSavingsPerHour: nullableNum,
            },
          },
        },
      },
    },
    503: error,
  },
};

const rateSchema = {
  description: `Optimization rate (ARCHITECTURE.md): realized savings ÷ savings of the solver's best plan under the same
policies and overrides, both in USD/hour now (1 = nothing left on the table). rate is null, with the reason, when no best
plan has been computed or the best plan saves nothing.`,
  querystring: noQuery,
  response: {
    200: {
      type: 'object',
      properties: {
        rate: nullableNum,
        reason: { type: ['string', 'null'] },
        realizedSavingsPerHour: num,
        bestPlan: { type: ['object', 'null'], properties: { savingsPerHour: num, computedAt: time } },
      },
    },
    503: error,
  },
};

/**
 * GET /api/v1/metrics/{active-instances, risk-detected, cost-savings, optimizations,
 * optimization-rate}: the console's fleet numbers, for the caller's tenant.
 */
export function registerFleetMetricsRoutes(app: FastifyInstance, deps: FleetMetricsRouteDeps): void {
  const m = deps.metrics;
  app.get('/api/v1/metrics/active-instances', { schema: activeSchema }, (request) =>
    fleetRead(() => m.activeInstances(deps.tenantOf(request))),
  );
  app.get('/api/v1/metrics/risk-detected', { schema: riskSchema }, (request) => {
    const { hours } = request.query as { hours?: number };
    return fleetRead(() => m.riskDetected(deps.tenantOf(request), hours ?? 24));
  });
  app.get('/api/v1/metrics/cost-savings', { schema: savingsSchema }, (request) => {
    const { days } = request.query as { days?: number };
    return fleetRead(() => m.costSavings(deps.tenantOf(request), days ?? 30));
  });
  app.get('/api/v1/metrics/optimizations', { schema: optimizationsSchema }, (request) => {
    const { hours, limit } = request.query as { hours?: number; limit?: number };
    return fleetRead(() => m.optimizations(deps.tenantOf(request), hours ?? 168, limit ?? 20));
  });
  app.get('/api/v1/metrics/optimization-rate', { schema: rateSchema }, (request) =>
    fleetRead(() => m.optimizationRate(deps.tenantOf(request))),
  );
}
