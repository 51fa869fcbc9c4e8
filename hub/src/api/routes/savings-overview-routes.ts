import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fleetRead, visibleClient } from '../../fleet/fleet-errors.ts';
import type { FleetMetrics } from '../../fleet/fleet-metrics.ts';
import type { ClientDirectory } from '../../fleet/fleet-sources.ts';

export interface SavingsOverviewRouteDeps {
  metrics: FleetMetrics;
  clients: ClientDirectory;
  tenantOf: (request: FastifyRequest) => string | null;
}

const num = { type: 'number' } as const;

const schema = {
  description: `A client's cost per hour or day: what its running nodes would have cost on demand vs what they cost
(node-hours from the ingest ledger at the catalog's current prices, as /api/v1/metrics/cost-savings). mode=total gives one
series, mode=cluster one per cluster. Buckets without running nodes are left out. 404 for an unknown client and for another tenant's.`,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', minLength: 1, maxLength: 253 } },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: { type: 'string', enum: ['total', 'cluster'], default: 'total' },
      bucket: { type: 'string', enum: ['hour', 'day'], default: 'hour' },
      days: { type: 'integer', minimum: 1, maximum: 90, default: 7 },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        client: { type: 'string' },
        mode: { type: 'string' },
        bucket: { type: 'string' },
        series: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              cluster: { type: ['string', 'null'] },
              points: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    t: { type: 'string', format: 'date-time' },
                    onDemandUsd: num,
                    actualUsd: num,
                    savingsUsd: num,
                    nodeHours: num,
                    unpricedNodeHours: num,
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const money = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** GET /api/v1/clients/{id}/savings-overview?mode=total|cluster&bucket=hour|day&days=N. */
export function registerSavingsOverviewRoutes(app: FastifyInstance, deps: SavingsOverviewRouteDeps): void {
  app.get('/api/v1/clients/:id/savings-overview', { schema }, async (request) => {
    const { id } = request.params as { id: string };
    const q = request.query as { mode?: 'total' | 'cluster'; bucket?: 'hour' | 'day'; days?: number };
    const mode = q.mode ?? 'total';
    const bucket = q.bucket ?? 'hour';
    const tenant = deps.tenantOf(request);
    return fleetRead(async () => {
      await deps.metrics.cached(`client-visible|${tenant ?? '*'}|${id}`, () =>
        visibleClient(tenant, id, deps.clients, { list: (t) => deps.metrics.agents(t) }),
      );
      const series = await deps.metrics.savingsOverview(id, mode, bucket, q.days ?? 7);
      return {
        client: id,
        mode,
        bucket,
        series: series.map((s) => ({
          cluster: s.cluster,
          points: s.points.map((p) => ({
            t: new Date(p.t).toISOString(),
            onDemandUsd: money(p.onDemandUsd),
            actualUsd: money(p.actualUsd),
            savingsUsd: money(p.savingsUsd),
            nodeHours: p.nodeHours,
            unpricedNodeHours: p.unpricedNodeHours,
          })),
        })),
      };
    });
  });
}
