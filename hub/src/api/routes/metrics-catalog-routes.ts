import type { FastifyInstance } from 'fastify';
import type { MetricsStore } from '../../store/metrics-store.ts';
import { labelNamesSchema, labelValuesSchema, metricNamesSchema } from '../query-schemas.ts';

interface Deps {
  store: MetricsStore;
  tenantOf: (request: unknown) => string;
}

/** Lists are cut here; `truncated` says so, so a picker can ask the user to type more. */
export const MAX_CATALOG_ENTRIES = 10_000;

/**
 * What exists, for pickers and autocompletion: GET /api/v1/metrics/names?match=<prefix>,
 * /api/v1/metrics/labels?metric=<name>, /api/v1/metrics/label/<name>/values?metric=<name>.
 */
export function registerMetricsCatalogRoutes(app: FastifyInstance, deps: Deps): void {
  const limit = MAX_CATALOG_ENTRIES + 1;
  const cut = (list: string[]) => ({ list: list.slice(0, MAX_CATALOG_ENTRIES), truncated: list.length > MAX_CATALOG_ENTRIES });

  app.get('/api/v1/metrics/names', { schema: metricNamesSchema }, async (request) => {
    const { match } = request.query as { match?: string };
    const { list, truncated } = cut(await deps.store.metricNames({ tenant: deps.tenantOf(request), prefix: match ?? '', limit }));
    return { names: list, truncated };
  });

  app.get('/api/v1/metrics/labels', { schema: labelNamesSchema }, async (request) => {
    const { metric } = request.query as { metric?: string };
    const { list, truncated } = cut(await deps.store.labelNames({ tenant: deps.tenantOf(request), metric: metric || undefined, limit }));
    return { labels: list, truncated };
  });

  app.get('/api/v1/metrics/label/:name/values', { schema: labelValuesSchema }, async (request) => {
    const { name } = request.params as { name: string };
    const { metric } = request.query as { metric?: string };
    const { list, truncated } = cut(
      await deps.store.labelValues({ tenant: deps.tenantOf(request), label: name, metric: metric || undefined, limit }),
    );
    return { label: name, values: list, truncated };
  });
}
