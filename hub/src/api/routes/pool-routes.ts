import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../../catalog/catalog.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import type { PoolBoard, PoolBoardSnapshot } from '../../pools/pool-board.ts';

const poolsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    capacityType: { type: 'string', enum: ['spot', 'on-demand'] },
    zone: { type: 'string', maxLength: 64 },
    instanceType: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
  },
} as const;

function answer(s: PoolBoardSnapshot, catalog: Pick<Catalog, 'spotPrice' | 'onDemandPrice' | 'now'>, q: PoolsQuery) {
  const now = catalog.now();
  const pools = s.pools.filter(
    (p) =>
      (!q.capacityType || p.capacityType === q.capacityType) &&
      (!q.zone || p.zone === q.zone) &&
      (!q.instanceType || p.instanceType === q.instanceType),
  );
  return {
    computedAt: new Date(s.computedAtMs).toISOString(),
    model: s.model,
    shadow: s.shadow,
    advisorSnapshot: s.advisorSnapshot,
    shape: s.shape,
    total: pools.length,
    pools: pools.slice(0, q.limit ?? 500).map((p) => {
      const price = p.capacityType === 'spot' ? catalog.spotPrice(p.instanceType, p.zone) : catalog.onDemandPrice(p.instanceType);
      const shadow = s.shadowScores.get(p.poolId);
      return {
        ...p,
        scoredAt: new Date(p.scoredAtMs).toISOString(),
        avoidUntil: p.avoidUntilMs === null ? null : new Date(p.avoidUntilMs).toISOString(),
        price: price
          ? { perHour: price.pricePerHour, source: price.source, ageSeconds: Math.round((now - price.observedAt) / 1000) }
          : null,
        ...(shadow ? { shadowScore: shadow } : {}),
      };
    }),
    skipped: s.skipped,
  };
}

interface PoolsQuery {
  capacityType?: 'spot' | 'on-demand';
  zone?: string;
  instanceType?: string;
  limit?: number;
}

/** GET /api/v1/pools: every pool's score with its factor breakdown and price age; POST recompute-risk rescoring now. */
export function registerPoolRoutes(
  app: FastifyInstance,
  deps: { board: PoolBoard; catalog: Pick<Catalog, 'spotPrice' | 'onDemandPrice' | 'now'> },
): void {
  app.get('/api/v1/pools', { schema: { querystring: poolsQuery } }, async (request) =>
    answer(await deps.board.current(), deps.catalog, request.query as PoolsQuery),
  );

  app.post('/api/v1/admin/recompute-risk', async (request) => {
    // It takes no body (the console sends {}): anything else is a client bug, refused.
    BodyReader.of(request.body, []);
    const s = await deps.board.recompute();
    return { computedAt: new Date(s.computedAtMs).toISOString(), pools: s.pools.length, model: s.model };
  });
}
