import type { FastifyInstance } from 'fastify';
import type { Role } from '../src/auth/roles.ts';
import { listRoutes } from '../src/auth/route-list.ts';
import { type RouteEntry, type RoutePolicy, ruleFor } from '../src/auth/route-policy.ts';

/** One kind of caller of the walk: anonymous, or a role bound to a tenant or not, by session or token. */
export interface WalkCaller {
  name: string;
  /** null: anonymous. */
  role: Role | null;
  clientId: string | null;
  via: 'session' | 'token';
  /** Fresh credentials per call: a walk that signs out must not sign out the calls after it. */
  headers(): Promise<Record<string, string>>;
}

/** Header the walk tags its requests with, so a hook can tell which of them reached validation. */
export const WALK_HEADER = 'x-route-walk';

/**
 * Records the walk requests that got past the auth hook: preValidation runs after every
 * onRequest hook and before the route's schema and handler, so "reached" means "let in",
 * whatever the handler then answers. Install before the app is ready.
 */
export function reachRecorder(app: FastifyInstance): Set<string> {
  const reached = new Set<string>();
  app.addHook('preValidation', async (request) => {
    const tag = request.headers[WALK_HEADER];
    if (typeof tag === 'string') reached.add(tag);
  });
  return reached;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** What the policy promises a caller on a route, restated from its documentation rather than from the code that enforces it. */
export function promised(policy: RoutePolicy, route: RouteEntry, caller: WalkCaller): 'let in' | 401 | 403 {
  const rule = ruleFor(policy, route.method, route.url, route.url);
  if (rule.access === 'public') return 'let in';
  if (caller.role === null) return 401;
  if (rule.sessionOnly && caller.via === 'token') return 403;
  if (RANK[caller.role] < RANK[rule.access]) return 403;
  if (rule.hubWide && caller.clientId !== null) return 403;
  return 'let in';
}

/** A concrete URL for a route pattern: any id will do, the auth hook decides before lookups. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000001').replace(/\*$/, 'index.html');
}

/**
 * Calls every route of a built app (read from its route tree, so routes registered by
 * anyone are included) as every caller, and lists each answer that breaks the policy:
 * let in when it should be refused, refused when it should be let in, or refused with the
 * wrong status. Empty: the auth hook enforces the table on every route.
 */
export async function walkRoutes(
  app: FastifyInstance,
  reached: Set<string>,
  policy: RoutePolicy,
  callers: WalkCaller[],
): Promise<string[]> {
  const problems: string[] = [];
  let n = 0;
  for (const route of listRoutes(app).filter((r) => r.method !== 'HEAD')) {
    for (const caller of callers) {
      const tag = String(++n);
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
      const res = await app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers: { ...(await caller.headers()), [WALK_HEADER]: tag },
        ...(hasBody ? { payload: {} } : {}),
      });
      const want = promised(policy, route, caller);
      const got = reached.has(tag) ? 'let in' : res.statusCode;
      if (got !== want)
        problems.push(
          `${route.method} ${route.url} as ${caller.name}: expected ${want}, got ${got} (${res.statusCode} ${res.body.slice(0, 120)})`,
        );
    }
  }
  return problems;
}
