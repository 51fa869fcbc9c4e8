import { createHash } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

export interface HttpHygieneOptions {
  /** Origins whose pages may call the API with credentials; empty: no CORS headers at all. */
  corsOrigins: readonly string[];
  /** Requests per minute per signed-in user, or per address when anonymous; 0: no limit. */
  ratePerMinute: number;
}

/**
 * The console is a Vite build: one module script and one stylesheet from the hub's own
 * origin, so everything may be 'self' and nothing inline. Swagger UI sets its own policy on
 * its pages (see register-openapi.ts).
 */
export const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  // The hub may run on plain HTTP on a private network; upgrading would break it there.
  upgradeInsecureRequests: null,
} as const;

/**
 * Security headers (helmet, with {@link CONSOLE_CSP}), CORS for the configured origins only,
 * and a per-caller rate limit. Register on the root instance before sign-in, so a
 * preflight is answered and a flood refused before credentials are looked up.
 */
export async function registerHttpHygiene(app: FastifyInstance, o: HttpHygieneOptions): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
    // HSTS only means something over TLS, which a proxy in front of the hub terminates.
    hsts: false,
  });
  if (o.corsOrigins.length > 0) registerCors(app, new Set(o.corsOrigins));
  if (o.ratePerMinute > 0) {
    await app.register(fastifyRateLimit, {
      // Installed below as an app-wide hook instead: the plugin's per-route hooks run after sign-in's.
      global: false,
      max: o.ratePerMinute,
      timeWindow: 60_000,
      keyGenerator: rateKey,
      // Probes must answer even when a scraper misbehaves.
      allowList: (request: FastifyRequest) => request.url.startsWith('/health/'),
      errorResponseBuilder: (_request, context) => {
        const e = new ApiError('TOO_MANY_REQUESTS', `more than ${context.max} requests a minute: retry in ${context.after}`);
        return Object.assign(e, { statusCode: 429 });
      },
    });
    // Before sign-in, unknown paths included, so a flood of bad credentials is refused before it costs a database read each.
    app.addHook('onRequest', app.rateLimit());
  }
}

/**
 * Per credential (a hash of the bearer token or session cookie: one user's browser and
 * programs count apart, people behind one NAT do not share a budget), else per address.
 */
const SESSION_IN_HEADER = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`);

function rateKey(request: FastifyRequest): string {
  // Cookies are not parsed yet at this point of the request: read the session's from the header.
  const session = request.headers.cookie?.match(SESSION_IN_HEADER)?.[1];
  const credential = request.headers.authorization ?? session;
  return credential ? `cred:${createHash('sha256').update(credential).digest('base64url')}` : `ip:${request.ip}`;
}

const ALLOWED_HEADERS = 'authorization, content-type, x-csrf-token';
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';

/** Answers a listed origin only; any other origin gets no CORS header, so its browser keeps the answer from its page. */
function registerCors(app: FastifyInstance, origins: ReadonlySet<string>): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !origins.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      reply.header('access-control-allow-methods', ALLOWED_METHODS);
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
  });
}
