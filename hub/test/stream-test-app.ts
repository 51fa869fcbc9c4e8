import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { validationToApiError } from '../src/api/validation-error.ts';
import { ApiError } from '../src/errors/api-error.ts';
import { componentToApiError } from '../src/errors/component-errors.ts';

/**
 * A Fastify app configured as buildApiServer configures its own (unknown query parameters
 * refused, one error body shape), for route modules tested before they are wired in.
 * The caller's tenant comes from the X-Test-Tenant header ("*" or none: every tenant),
 * standing in for the signed-in principal.
 */
export function testApp(): FastifyInstance {
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
  app.setErrorHandler((err, request, reply) => {
    const known = componentToApiError(err);
    if (known) return reply.code(known.status).send(known.toBody());
    if (Array.isArray((err as { validation?: unknown }).validation)) {
      const apiError = validationToApiError(err as Parameters<typeof validationToApiError>[0], request);
      return reply.code(apiError.status).send(apiError.toBody());
    }
    return reply.code(500).send(new ApiError('INTERNAL', (err as Error).message).toBody());
  });
  return app;
}

export function headerTenant(request: FastifyRequest): string | null {
  const t = request.headers['x-test-tenant'];
  return typeof t === 'string' && t !== '*' ? t : null;
}
