import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { MetricsStore } from '../../store/metrics-store.ts';

/**
 * GET /api/v1/storage/usage: rows, parts, bytes and bytes per point of every store table.
 * It describes the whole store, every tenant's data together: once sign-in exists it
 * belongs to operators only.
 */
export function registerStorageUsageRoute(app: FastifyInstance, deps: { store: MetricsStore }): void {
  app.get(
    '/api/v1/storage/usage',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } },
    async () => {
      try {
        return await deps.store.storageUsage();
      } catch (err) {
        throw new ApiError('STORE_UNAVAILABLE', `cannot read storage usage: ${(err as Error).message}`, undefined, { cause: err });
      }
    },
  );
}
