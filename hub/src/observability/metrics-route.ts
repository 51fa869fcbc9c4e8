import type { FastifyInstance } from 'fastify';
import { collectHubMetrics, type HubMetricsSources } from './hub-metrics.ts';
import { exposition, PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';

/**
 * GET /metrics in the Prometheus text format. Who may scrape is the route policy's
 * (ROUTE_POLICY 'GET /metrics': a viewer API token by default; `--metrics-access public`
 * makes it public).
 */
export function registerMetricsRoute(app: FastifyInstance, sources: HubMetricsSources): void {
  app.get(
    '/metrics',
    { schema: { description: 'The hub’s own metrics in the Prometheus text format (each family documented by its # HELP line).' } },
    async (_request, reply) => reply.header('content-type', PROMETHEUS_CONTENT_TYPE).send(exposition(await collectHubMetrics(sources))),
  );
}
