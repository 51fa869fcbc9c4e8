import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PREFIX = '/api/docs';

/**
 * OpenAPI 3 from the routes' JSON schemas, at {@link OPENAPI_PATH}, with Swagger UI at
 * {@link DOCS_PREFIX}. Register before any route: the generator learns routes as they are
 * added. Swagger UI's pages carry their own CSP (its inline-free bundle, plus the styles it
 * needs), replacing the console's stricter one on those pages only.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Ballast hub API',
        version,
        description:
          'Fleet, metrics, decisions, jobs and accounts of a Ballast hub. Sign in with POST /api/v1/auth/login (a session cookie; state changes also send X-CSRF-Token) or send an API token as Authorization: Bearer.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token (blst_…) from POST /api/v1/tokens' },
          session: { type: 'apiKey', in: 'cookie', name: 'ballast_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // The console's catch-all and the docs' own files are not API.
    transform: ({ schema, url }) => ({ schema: { ...schema, hide: schema?.hide === true || !documented(url) }, url }),
  });
  // Swagger UI (React) applies inline styles; its scripts stay 'self' only. This policy is for the docs pages alone.
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP:
      "default-src 'self'; base-uri 'self'; frame-ancestors 'none'; object-src 'none'; img-src 'self' data:; font-src 'self' data:; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'",
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}

function documented(url: string): boolean {
  return url.startsWith('/api/v1/') || url.startsWith('/health/') || url === '/metrics';
}
