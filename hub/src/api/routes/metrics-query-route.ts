import type { FastifyInstance } from 'fastify';
import type { MetricsStore } from '../../store/metrics-store.ts';
import { MAX_SERIES, parseMetricsQuery } from '../metrics-query-params.ts';

interface Deps {
  store: MetricsStore;
  now: () => number;
  tenantOf: (request: unknown) => string;
}

/** GET /api/v1/metrics/query: series of one metric, aggregated per step. */
export function registerMetricsQueryRoute(app: FastifyInstance, deps: Deps): void {
  app.get('/api/v1/metrics/query', async (request) => {
    const q = parseMetricsQuery(request.query as Record<string, unknown>, deps.now());
    const series = await deps.store.findSeries({
      tenant: deps.tenantOf(request),
      metric: q.metric,
      matchers: q.matchers,
      limit: MAX_SERIES,
    });
    const rows = await deps.store.queryRange({
      seriesIds: series.map((s) => s.id),
      startMs: q.startMs,
      endMs: q.endMs,
      stepSeconds: q.stepSeconds,
      aggregation: q.aggregation,
    });
    const points = new Map<bigint, Array<[number, number]>>();
    for (const r of rows) {
      const list = points.get(r.seriesId);
      if (list) list.push([r.t, r.value]);
      else points.set(r.seriesId, [[r.t, r.value]]);
    }
    return {
      metric: q.metric,
      resolution: 'raw',
      step: q.stepSeconds,
      aggregation: q.aggregation,
      start: q.startMs / 1000,
      end: q.endMs / 1000,
      series: series.map((s) => ({
        labels: { ...s.labels, node: s.node, cluster: s.cluster },
        points: points.get(s.id) ?? [],
      })),
    };
  });
}
