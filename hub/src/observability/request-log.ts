import { randomUUID } from 'node:crypto';
import { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';

export interface RequestLogOptions {
  level: 'info' | 'warn' | 'error' | 'silent';
  /** Where JSON lines go; default stdout. */
  stream?: { write(line: string): void };
}

/**
 * Anything that could hold a secret, wherever pino would print it: a serialized request
 * or reply, or an object a route logs. Request lines are written by {@link registerRequestLog}
 * from chosen fields only; this is the net under every other log call.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.token',
  '*.csrfToken',
  '*.enrolmentToken',
];

/** Fastify's logger options: pino JSON lines with a request id per request, secrets censored. */
export function fastifyLoggerOptions(
  o: RequestLogOptions | undefined,
): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'logController'> {
  return {
    logger: o
      ? { level: o.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...(o.stream ? { stream: o.stream } : {}) }
      : false,
    genReqId: () => randomUUID(),
    // Fastify's own lines print the raw URL and are written before the caller is known: ours replace them.
    logController: new LogController({ disableRequestLogging: true }),
  };
}

/**
 * One line per answered request: id, method, route, status, duration, and who asked (user,
 * tenant, credential kind) — never headers, bodies or query strings, where secrets travel.
 * Also returns the id in X-Request-Id, so a caller can quote it.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const p = request.principal;
    const line = {
      reqId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ip: request.ip,
      ...(p ? { user: p.username, tenant: p.clientId ?? '*', via: p.via } : {}),
    };
    if (reply.statusCode >= 500) request.log.error(line, 'request failed');
    else request.log.info(line, 'request');
  });
}
