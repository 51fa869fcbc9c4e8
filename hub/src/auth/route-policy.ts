import { forbidden, unauthenticated } from './auth-errors.ts';
import type { Principal } from './principal.ts';
import { type Role, roleAtLeast } from './roles.ts';

/** Who may call a route: anyone, or a principal holding at least this role. */
export type Access = 'public' | Role;

export interface RouteRule {
  access: Access;
  /** About every tenant at once (hub-wide models, the whole store): hub staff only, a tenant's users get 403. */
  hubWide?: boolean;
  /** A person signed in with a password only, never an API token (tokens must not mint tokens or change passwords). */
  sessionOnly?: boolean;
}

/** `"METHOD /url/:pattern"` (Fastify's route syntax) → rule. HEAD follows its GET. */
export type RoutePolicy = Readonly<Record<string, Access | RouteRule>>;

/**
 * The one table of who may call what. The auth hook enforces it before any route runs;
 * the route × role walk (hub/test/auth-route-walk.test.ts) fails for a route registered
 * without a line here. A route missing from it is admin-only (fail closed), as is an
 * unknown path under /api/; other unknown paths are the console's (public).
 *
 * Tenancy is not decided here: a tenant-bound principal reaches tenant routes and the
 * route filters by tenantOf(request), answering 404 for another tenant's objects.
 */
export const ROUTE_POLICY: RoutePolicy = {
  // Liveness probes and the console's files carry no tenant data.
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  // Which hubs share the work and what answers: for operators, not for anyone on the network.
  'GET /health/cluster': 'viewer',
  // Prometheus scrapes with a viewer API token; `--metrics-access public` swaps this line for 'public'.
  'GET /metrics': 'viewer',
  // The API's description and its docs page hold no data.
  'GET /api/openapi.json': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/': 'public',
  'GET /api/docs/json': 'public',
  'GET /api/docs/yaml': 'public',
  'GET /api/docs/static/*': 'public',
  'GET /api/docs/static/index.html': 'public',
  'GET /api/docs/static/swagger-initializer.js': 'public',
  'GET /api/docs/initOAuth': 'public',
  'GET /api/docs/uiConfig': 'public',
  'GET /': 'public',
  'GET /*': 'public',

  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/signup': 'public',
  'POST /api/v1/auth/logout': { access: 'viewer', sessionOnly: true },
  'GET /api/v1/me': 'viewer',
  'PUT /api/v1/me': { access: 'viewer', sessionOnly: true },

  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/:id': 'admin',
  'DELETE /api/v1/users/:id': 'admin',
  'GET /api/v1/clients': 'viewer',
  'POST /api/v1/clients': { access: 'admin', hubWide: true },

  // Anyone signed in may hold tokens of their own, never above their own role.
  'GET /api/v1/tokens': 'viewer',
  'POST /api/v1/tokens': { access: 'viewer', sessionOnly: true },
  'DELETE /api/v1/tokens/:id': 'viewer',

  'GET /api/v1/clusters/:id/enrolment-tokens': 'admin',
  'POST /api/v1/clusters/:id/enrolment-tokens': 'admin',
  'DELETE /api/v1/clusters/:id/enrolment-tokens/:tokenId': 'admin',

  'GET /api/v1/nodes': 'viewer',
  'GET /api/v1/metrics/query': 'viewer',
  'GET /api/v1/metrics/names': 'viewer',
  'GET /api/v1/metrics/labels': 'viewer',
  'GET /api/v1/metrics/label/:name/values': 'viewer',
  'GET /api/v1/decisions': 'viewer',
  'GET /api/v1/pipeline/funnel': 'viewer',
  'GET /api/v1/pools': 'viewer',
  // Sizes of every tenant's data together.
  'GET /api/v1/storage/usage': { access: 'operator', hubWide: true },

  // Scoring models rank every tenant's pools: changing them is hub staff's work.
  'GET /api/v1/scoring/models': 'viewer',
  'GET /api/v1/scoring/models/:id': 'viewer',
  'GET /api/v1/scoring/shadow/comparison': 'viewer',
  'POST /api/v1/scoring/models': { access: 'operator', hubWide: true },
  'POST /api/v1/scoring/models/:id/promote': { access: 'operator', hubWide: true },
  'PUT /api/v1/scoring/shadow': { access: 'operator', hubWide: true },
  'DELETE /api/v1/scoring/shadow': { access: 'operator', hubWide: true },
  'POST /api/v1/admin/recompute-risk': { access: 'operator', hubWide: true },

  // Jobs, approvals, audit, storage and governance (their routes exist; api-server.ts does not register them yet).
  'GET /api/v1/jobs': 'viewer',
  'GET /api/v1/jobs/:id': 'viewer',
  'POST /api/v1/jobs/:id/cancel': 'operator',
  'POST /api/v1/jobs/:id/retry': 'operator',
  'GET /api/v1/approvals': 'viewer',
  'POST /api/v1/approvals/:id/approve': 'operator',
  'POST /api/v1/approvals/:id/reject': 'operator',
  // Who did what is for those who manage people: a tenant's admins see their tenant's records.
  'GET /api/v1/audit': 'admin',
  // EBS volumes, snapshots and unregistered instances are the AWS account's, shared by every client.
  'GET /api/v1/storage/volumes': { access: 'viewer', hubWide: true },
  'GET /api/v1/storage/snapshots': { access: 'viewer', hubWide: true },
  'POST /api/v1/storage/dry-run': { access: 'operator', hubWide: true },
  'POST /api/v1/storage/cleanup': { access: 'operator', hubWide: true },
  'GET /api/v1/governance/instances': { access: 'viewer', hubWide: true },
  'POST /api/v1/governance/instances/apply': { access: 'operator', hubWide: true },

  // Switch history, force on-demand at three levels (each route checks the target is the caller's
  // client's), and the platform kill switch, which moves every client's nodes: hub admins only.
  'GET /api/v1/instances/:id/switch-history': 'viewer',
  'GET /api/v1/overrides': 'viewer',
  'POST /api/v1/instances/:id/force-on-demand': 'operator',
  'DELETE /api/v1/instances/:id/force-on-demand': 'operator',
  'POST /api/v1/clusters/:id/force-on-demand': 'operator',
  'DELETE /api/v1/clusters/:id/force-on-demand': 'operator',
  'POST /api/v1/clients/:id/force-on-demand': 'operator',
  'DELETE /api/v1/clients/:id/force-on-demand': 'operator',
  'GET /api/v1/admin/kill-switch': { access: 'viewer', hubWide: true },
  'POST /api/v1/admin/kill-switch': { access: 'admin', hubWide: true },

  // The live stream and the console's fleet numbers: reads, filtered to the caller's tenant
  // (a client or instance of another tenant answers 404).
  'GET /api/v1/stream': 'viewer',
  'GET /api/v1/metrics/active-instances': 'viewer',
  'GET /api/v1/metrics/risk-detected': 'viewer',
  'GET /api/v1/metrics/cost-savings': 'viewer',
  'GET /api/v1/metrics/optimizations': 'viewer',
  'GET /api/v1/metrics/optimization-rate': 'viewer',
  'GET /api/v1/pipeline/status': 'viewer',
  'GET /api/v1/clients/:id/topology': 'viewer',
  'GET /api/v1/clients/:id/savings-overview': 'viewer',
  'GET /api/v1/instances/:id/alternatives': 'viewer',
};

/** What a route missing from the table gets. */
export const FAIL_CLOSED: RouteRule = { access: 'admin', hubWide: true };
const CONSOLE: RouteRule = { access: 'public' };

/**
 * The rule of a request: by its route's pattern, or for a request no route matched (the
 * not-found handler), by its path.
 */
export function ruleFor(policy: RoutePolicy, method: string, routeUrl: string | undefined, path: string): RouteRule {
  const api = (p: string) => p === '/api' || p.startsWith('/api/');
  // An unknown /api/ path may still match the console's catch-all route: it stays unknown.
  if (routeUrl === undefined || (api(path) && !api(routeUrl))) return api(path) ? FAIL_CLOSED : CONSOLE;
  const entry = policy[`${method === 'HEAD' ? 'GET' : method} ${routeUrl}`];
  if (entry === undefined) return FAIL_CLOSED;
  return typeof entry === 'string' ? { access: entry } : entry;
}

/** Whether a rule lets `principal` in; throws the 401 or 403 that says why not. */
export function enforce(rule: RouteRule, principal: Principal | null): void {
  if (rule.access === 'public') return;
  if (!principal) throw unauthenticated();
  if (rule.sessionOnly && principal.via !== 'session') throw forbidden('an API token cannot do this: sign in with a password');
  if (!roleAtLeast(principal.role, rule.access)) throw forbidden(`needs the ${rule.access} role; you have ${principal.role}`);
  if (rule.hubWide && principal.clientId !== null)
    throw forbidden('this concerns every client: only hub staff (users bound to no client) may');
}

export interface RouteEntry {
  method: string;
  url: string;
}

/** Routes of `routes` without a line in the policy (HEAD counts as its GET). */
export function unpolicedRoutes(routes: readonly RouteEntry[], policy: RoutePolicy): RouteEntry[] {
  return routes.filter((r) => r.method !== 'HEAD' && policy[`${r.method} ${r.url}`] === undefined);
}
