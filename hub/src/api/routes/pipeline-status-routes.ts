import type { FastifyInstance } from 'fastify';
import type { PipelineHealth } from '../../fleet/pipeline-health.ts';

const schema = {
  description: `Health of each hub component (ingest, store, solver, executor, catalog, …): ok, degraded (answers but
is not well) or down (its check failed or timed out), the check's latency in ms, and the latest error with its time (kept
after recovery). The answer is 200 whatever the components' state; readiness is /health/ready.`,
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
        components: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
              latencyMs: { type: 'number' },
              checkedAt: { type: 'string', format: 'date-time' },
              lastError: {
                type: ['object', 'null'],
                properties: { message: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
              },
              detail: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
  },
};

/** GET /api/v1/pipeline/status. */
export function registerPipelineStatusRoutes(app: FastifyInstance, deps: { health: PipelineHealth }): void {
  app.get('/api/v1/pipeline/status', { schema }, async () => {
    const components = await deps.health.status();
    const worst = components.some((c) => c.status === 'down')
      ? 'down'
      : components.some((c) => c.status === 'degraded')
        ? 'degraded'
        : 'ok';
    return {
      status: worst,
      components: components.map((c) => ({
        ...c,
        checkedAt: new Date(c.checkedAt).toISOString(),
        lastError: c.lastError ? { message: c.lastError.message, at: new Date(c.lastError.at).toISOString() } : null,
      })),
    };
  });
}
