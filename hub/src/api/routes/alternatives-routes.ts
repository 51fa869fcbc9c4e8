import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { fleetRead } from '../../fleet/fleet-errors.ts';
import type { FleetMetrics } from '../../fleet/fleet-metrics.ts';
import type { PriceSource } from '../../fleet/fleet-sources.ts';
import type { RankedPoolScore } from '../../scoring/score-pool.ts';

/** The pool board's latest scores (PoolBoard.current). */
export interface PoolScoreSource {
  current(): Promise<{ computedAtMs: number; model: { id: string | null; name: string; version: number }; pools: RankedPoolScore[] }>;
}

export interface AlternativesRouteDeps {
  metrics: FleetMetrics;
  board: PoolScoreSource;
  prices: PriceSource;
  tenantOf: (request: FastifyRequest) => string | null;
}

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;

const schema = {
  description: `The best pools to move an instance to: the pool board's ranking (the active scoring model, for its reference
workload shape) without the instance's own pool and without pools in a launch-failure cool-down, best first, at most
\`limit\` (default 5). Each comes with its price now, the hourly difference from the instance's current price (positive:
cheaper) and the score breakdown (total, each factor's score and contribution). 404 for an unknown instance and for
another tenant's.`,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' } },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 20, default: 5 } },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        instance: {
          type: 'object',
          properties: {
            instanceId: str,
            cluster: str,
            node: str,
            instanceType: str,
            zone: str,
            capacityType: str,
            pricePerHour: { type: ['number', 'null'] },
          },
        },
        computedAt: { type: 'string', format: 'date-time' },
        model: { type: 'object', properties: { id: { type: ['string', 'null'] }, name: str, version: num } },
        alternatives: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              poolId: str,
              instanceType: str,
              zone: str,
              capacityType: str,
              rank: num,
              pricePerHour: { type: ['number', 'null'] },
              savingsPerHour: { type: ['number', 'null'] },
              score: {
                type: 'object',
                properties: {
                  total: num,
                  contributions: { type: 'object', additionalProperties: num },
                  weights: { type: 'object', additionalProperties: num },
                  factors: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** GET /api/v1/instances/{id}/alternatives. */
export function registerAlternativesRoutes(app: FastifyInstance, deps: AlternativesRouteDeps): void {
  const priceOf = (instanceType: string, zone: string, capacityType: string) =>
    (capacityType === 'spot' ? deps.prices.spotPrice(instanceType, zone) : deps.prices.onDemandPrice(instanceType))?.pricePerHour ?? null;

  app.get('/api/v1/instances/:id/alternatives', { schema }, async (request) => {
    const { id } = request.params as { id: string };
    const { limit } = request.query as { limit?: number };
    return fleetRead(async () => {
      const agent = (await deps.metrics.agents(deps.tenantOf(request))).find((a) => a.instanceId === id);
      if (!agent) throw new ApiError('NOT_FOUND', `no instance ${id}`, 'id');
      const board = await deps.board.current();
      const now = deps.metrics.now();
      const own = `${agent.instanceType}|${agent.availabilityZone}|${agent.lifecycle}`;
      const current = priceOf(agent.instanceType, agent.availabilityZone, agent.lifecycle);
      const alternatives = board.pools
        .filter((p) => p.poolId !== own && (p.avoidUntilMs === null || p.avoidUntilMs <= now))
        .slice(0, limit ?? 5)
        .map((p) => {
          const price = priceOf(p.instanceType, p.zone, p.capacityType);
          return {
            poolId: p.poolId,
            instanceType: p.instanceType,
            zone: p.zone,
            capacityType: p.capacityType,
            rank: p.rank,
            pricePerHour: price,
            savingsPerHour: price !== null && current !== null ? Math.round((current - price) * 10_000) / 10_000 : null,
            score: { total: p.total, contributions: p.contributions, weights: p.weights, factors: p.factors },
          };
        });
      return {
        instance: {
          instanceId: agent.instanceId,
          cluster: agent.cluster,
          node: agent.node,
          instanceType: agent.instanceType,
          zone: agent.availabilityZone,
          capacityType: agent.lifecycle,
          pricePerHour: current,
        },
        computedAt: new Date(board.computedAtMs).toISOString(),
        model: board.model,
        alternatives,
      };
    });
  });
}
