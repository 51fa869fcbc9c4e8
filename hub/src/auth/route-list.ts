import type { FastifyInstance, FastifySchema } from 'fastify';
import type { RouteEntry } from './route-policy.ts';

const RECORDED = new WeakMap<FastifyInstance, RouteEntry[]>();
const SCHEMAS = new WeakMap<FastifyInstance, Map<string, FastifySchema | undefined>>();

/**
 * Records every route added to `app` from now on, in it or any plugin registered in it,
 * exactly as registered; {@link listRoutes} then answers from the record. Call it on the
 * root instance before any route: the route tree (the fallback) merges wildcard routes
 * with their siblings, so plugins such as Swagger UI's static files print as other URLs.
 */
export function recordRoutes(app: FastifyInstance): void {
  const routes: RouteEntry[] = [];
  const schemas = new Map<string, FastifySchema | undefined>();
  RECORDED.set(app, routes);
  SCHEMAS.set(app, schemas);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      routes.push({ method, url: r.url });
      schemas.set(`${method} ${r.url}`, r.schema);
    }
  });
}

/** The schema a recorded route was registered with (undefined: none, or not recorded). */
export function recordedSchema(app: FastifyInstance, method: string, url: string): FastifySchema | undefined {
  return SCHEMAS.get(app)?.get(`${method} ${url}`);
}

const LINE = /^(?<indent>[│ ]*)[├└]── (?<segment>.*?)(?: \((?<methods>[A-Z]+(?:, [A-Z]+)*)\))?$/u;

/**
 * Every route a built (ready) Fastify instance serves, method by method: as recorded by
 * {@link recordRoutes}, else read from its route tree (`printRoutes`), Fastify's only
 * other way to list the routes of an instance someone else built. A line's segment continues its parent's path, so each route's URL is
 * the concatenation down the tree.
 */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const recorded = RECORDED.get(app);
  if (recorded) return [...recorded];
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = LINE.exec(line);
    if (!m?.groups) continue;
    const depth = [...(m.groups.indent ?? '')].length / 4;
    const segment = m.groups.segment ?? '';
    // The root '/' is not printed when no route is registered on it: its children then lack the slash.
    const url = depth === 0 && !segment.startsWith('/') ? `/${segment}` : (stack[depth - 1] ?? '') + segment;
    stack.length = depth;
    stack.push(url);
    for (const method of m.groups.methods?.split(', ') ?? []) out.push({ method, url });
  }
  return out;
}
