import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../src/auth/roles.ts';
import { listRoutes } from '../src/auth/route-list.ts';
import { ROUTE_POLICY, type RouteEntry, unpolicedRoutes } from '../src/auth/route-policy.ts';
import { newSecret } from '../src/auth/secret-token.ts';
import { TAG_KEYS } from '../src/cloud/cloud-types.ts';
import { ApiTokenRepository, ApprovalRepository, EnrolmentTokenRepository, JobRepository, type UserRecord } from '../src/state/index.ts';
import { authHarness, DAY, type ErrorBody, ensureClient, makeUser, PASSWORD, signedIn, T0, unique } from './auth-fixtures.ts';
import { reachRecorder, type WalkCaller, walkRoutes } from './auth-route-walk.ts';
import { type HubHarness, hubHarness } from './hub-harness.ts';

const OWN = 'acme';
const OTHER = 'umbrella';

let h: HubHarness;
let reached: Set<string>;
/** One user per role, hub-wide (clientId null) and bound to OWN. */
const users = new Map<string, UserRecord>();
const key = (role: Role, clientId: string | null) => `${role}@${clientId ?? 'hub'}`;

async function apiToken(owner: UserRecord, role: Role, clientId: string | null): Promise<string> {
  const s = newSecret('api');
  await new ApiTokenRepository(h.store).create(
    { tokenHash: s.hash, prefix: s.prefix, name: 't', userId: owner.id, clientId, role, expiresAt: T0 + DAY },
    T0,
  );
  return s.token;
}

beforeAll(async () => {
  // The hub as main builds it: every plane, sign-in, the docs and /metrics.
  h = await hubHarness((app) => {
    reached = reachRecorder(app);
  });
  await ensureClient(h.store, OWN);
  await ensureClient(h.store, OTHER);
  for (const role of ROLES) for (const clientId of [null, OWN]) users.set(key(role, clientId), await makeUser(h.store, { role, clientId }));
});
afterAll(() => h?.close());

describe('the route table covers every route the API server registers', () => {
  it('lists routes exactly as Fastify registered them', async () => {
    const app = Fastify();
    const recorded: RouteEntry[] = [];
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) recorded.push({ method, url: r.url });
    });
    for (const url of [
      '/',
      '/*',
      '/api/v1/users',
      '/api/v1/users/:id',
      '/api/v1/me',
      '/api/v1/metrics/labels',
      '/api/v1/metrics/label/:name/values',
    ]) {
      app.get(url, async () => 1);
    }
    app.route({ method: ['PATCH', 'DELETE'], url: '/api/v1/users/:id', handler: async () => 1 });
    await app.ready();
    const sort = (rs: RouteEntry[]) => rs.map((r) => `${r.method} ${r.url}`).sort();
    expect(sort(listRoutes(app))).toEqual(sort(recorded));
  });

  it('has a policy line for every route, so none falls to the admin-only default unnoticed', () => {
    const routes = listRoutes(h.app);
    // One route of each plane the hub wires: accounts, decisions, jobs, storage, scoring, docs, self-metrics.
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'PATCH /api/v1/users/:id',
        'GET /api/v1/decisions',
        'POST /api/v1/jobs/:id/cancel',
        'POST /api/v1/storage/cleanup',
        'GET /api/v1/pools',
        'GET /api/openapi.json',
        'GET /metrics',
        'GET /health/cluster',
        'GET /*',
      ]),
    );
    expect(routes.length).toBeGreaterThan(40);
    expect(unpolicedRoutes(routes, ROUTE_POLICY)).toEqual([]);
  });

  it('lets in or refuses every route for every role, tenant binding and credential exactly as the table says (401/403)', async () => {
    const callers: WalkCaller[] = [{ name: 'anonymous', role: null, clientId: null, via: 'session', headers: async () => ({}) }];
    for (const [name, user] of users) {
      const session = async () => (await signedIn(h, user)).headers;
      callers.push({ name: `${name} (session)`, role: user.role, clientId: user.clientId, via: 'session', headers: session });
      const token = async () => ({ authorization: `Bearer ${await apiToken(user, user.role, user.clientId)}` });
      callers.push({ name: `${name} (token)`, role: user.role, clientId: user.clientId, via: 'token', headers: token });
    }
    expect(await walkRoutes(h.app, reached, ROUTE_POLICY, callers)).toEqual([]);
  });

  it('fails closed on a route registered without a policy line: the check names it, and only hub admins get in', async () => {
    const extra = await authHarness({}, h.store, (app) => {
      app.post('/api/v1/unlisted', async () => ({ ok: true }));
    });
    try {
      expect(unpolicedRoutes(listRoutes(extra.app), ROUTE_POLICY)).toEqual([{ method: 'POST', url: '/api/v1/unlisted' }]);
      const call = async (user: UserRecord) =>
        (await extra.app.inject({ method: 'POST', url: '/api/v1/unlisted', headers: (await signedIn(h, user)).headers })).statusCode;
      expect(await call(users.get(key('admin', OWN)) as UserRecord)).toBe(403);
      expect(await call(users.get(key('operator', null)) as UserRecord)).toBe(403);
      expect(await call(users.get(key('admin', null)) as UserRecord)).toBe(200);
    } finally {
      await extra.close();
    }
  });

  it('fails closed on unknown /api/ paths (401 anonymous, 403 below a hub admin, 404 for one) and serves the console to anyone', async () => {
    const url = '/api/v1/no-such-thing';
    expect((await h.app.inject({ url })).statusCode).toBe(401);
    const tenantAdmin = await signedIn(h, users.get(key('admin', OWN)) as UserRecord);
    expect((await h.app.inject({ url, headers: tenantAdmin.headers })).statusCode).toBe(403);
    const admin = await signedIn(h, users.get(key('admin', null)) as UserRecord);
    expect((await h.app.inject({ url, headers: admin.headers })).statusCode).toBe(404);
    const page = await h.app.inject({ url: '/clusters/prod' });
    expect([page.statusCode, page.body]).toEqual([200, expect.stringContaining('<title>Ballast</title>')]);
  });
});

type Target = 'own' | 'other';
interface Caller {
  user: UserRecord;
  admin: boolean;
  hub: boolean;
}
interface Case {
  route: string;
  /** Routes about no particular object are called once, as 'own'. */
  targets?: Target[];
  prepare(c: Caller, t: Target): Promise<{ url: string; payload?: Record<string, unknown> }>;
  expect(c: Caller, t: Target): number;
}

const tenantOf = (t: Target) => (t === 'own' ? OWN : OTHER);
/** Admins only; another tenant's object is visible to hub staff and a 404 to a tenant's admin. */
const adminScoped = (ok: number) => (c: Caller, t: Target) => (!c.admin ? 403 : t === 'own' || c.hub ? ok : 404);
/** Operators and admins; another tenant's object as above. */
const operatorScoped = (ok: number) => (c: Caller, t: Target) => (c.user.role === 'viewer' ? 403 : t === 'own' || c.hub ? ok : 404);
/** Anyone; another tenant's object as above. */
const anyoneScoped = (ok: number) => (_c: Caller, t: Target) => (t === 'own' || _c.hub ? ok : 404);

async function cluster(t: Target): Promise<string> {
  const id = unique('cl');
  await ensureClient(h.store, tenantOf(t), [id]);
  return id;
}

/** A force on-demand a hub admin put in place, for a lift to find. */
async function forced(url: string): Promise<{ url: string }> {
  const admin = await signedIn(h, users.get(key('admin', null)) as UserRecord);
  const res = await h.app.inject({ method: 'POST', url, headers: admin.headers, payload: { duration_hours: 1 } });
  if (res.statusCode !== 202) throw new Error(`forcing ${url}: ${res.statusCode} ${res.body}`);
  return { url };
}

const CASES: Case[] = [
  { route: 'GET /api/v1/me', prepare: async () => ({ url: '/api/v1/me' }), expect: () => 200 },
  { route: 'PUT /api/v1/me', prepare: async () => ({ url: '/api/v1/me', payload: { name: 'New Name' } }), expect: () => 200 },
  { route: 'POST /api/v1/auth/logout', prepare: async () => ({ url: '/api/v1/auth/logout' }), expect: () => 204 },
  { route: 'GET /api/v1/clients', prepare: async () => ({ url: '/api/v1/clients' }), expect: () => 200 },
  {
    route: 'POST /api/v1/clients',
    prepare: async () => ({ url: '/api/v1/clients', payload: { id: unique('client'), name: 'New' } }),
    expect: (c) => (c.admin && c.hub ? 201 : 403),
  },
  {
    route: 'GET /api/v1/users',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: t === 'own' ? '/api/v1/users' : `/api/v1/users?client=${OTHER}` }),
    expect: adminScoped(200),
  },
  {
    route: 'POST /api/v1/users',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({
      url: '/api/v1/users',
      payload: { username: unique('new'), password: PASSWORD, role: 'viewer', clientId: tenantOf(t) },
    }),
    expect: adminScoped(201),
  },
  {
    route: 'PATCH /api/v1/users/:id',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({
      url: `/api/v1/users/${(await makeUser(h.store, { role: 'viewer', clientId: tenantOf(t) })).id}`,
      payload: { name: 'Renamed' },
    }),
    expect: adminScoped(200),
  },
  {
    route: 'DELETE /api/v1/users/:id',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/users/${(await makeUser(h.store, { role: 'viewer', clientId: tenantOf(t) })).id}` }),
    expect: adminScoped(204),
  },
  { route: 'GET /api/v1/tokens', prepare: async () => ({ url: '/api/v1/tokens' }), expect: () => 200 },
  {
    route: 'POST /api/v1/tokens',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: '/api/v1/tokens', payload: { name: 'ci', clientId: tenantOf(t) } }),
    expect: anyoneScoped(201),
  },
  {
    // Own: the caller's token in OWN. Other: an OTHER user's token, which only a hub admin may revoke.
    route: 'DELETE /api/v1/tokens/:id',
    targets: ['own', 'other'],
    prepare: async (c, t) => {
      const owner = t === 'own' ? c.user : await makeUser(h.store, { role: 'viewer', clientId: OTHER });
      const s = newSecret('api');
      const token = await new ApiTokenRepository(h.store).create(
        { tokenHash: s.hash, prefix: s.prefix, name: 'x', userId: owner.id, clientId: tenantOf(t), role: 'viewer', expiresAt: T0 + DAY },
        T0,
      );
      return { url: `/api/v1/tokens/${token.id}` };
    },
    expect: (c, t) => (t === 'own' || (c.hub && c.admin) ? 204 : 404),
  },
  {
    route: 'GET /api/v1/clusters/:id/enrolment-tokens',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/clusters/${await cluster(t)}/enrolment-tokens` }),
    expect: adminScoped(200),
  },
  {
    // Cluster ids are per client: a tenant's admin naming another tenant's cluster id registers a cluster of their own.
    route: 'POST /api/v1/clusters/:id/enrolment-tokens',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/clusters/${await cluster(t)}/enrolment-tokens`, payload: { name: 'agents' } }),
    expect: (c) => (c.admin ? 201 : 403),
  },
  {
    route: 'DELETE /api/v1/clusters/:id/enrolment-tokens/:tokenId',
    targets: ['own', 'other'],
    prepare: async (_c, t) => {
      const id = await cluster(t);
      const s = newSecret('enrolment');
      const token = await new EnrolmentTokenRepository(h.store).create(
        { tokenHash: s.hash, prefix: s.prefix, clientId: tenantOf(t), clusterId: id, name: '', createdBy: 'test', expiresAt: null },
        T0,
      );
      return { url: `/api/v1/clusters/${id}/enrolment-tokens/${token.id}` };
    },
    expect: adminScoped(204),
  },
  {
    route: 'GET /api/v1/clients/:id/topology',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/clients/${tenantOf(t)}/topology` }),
    expect: anyoneScoped(200),
  },
  {
    route: 'GET /api/v1/clients/:id/savings-overview',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/clients/${tenantOf(t)}/savings-overview` }),
    expect: anyoneScoped(200),
  },
  {
    // A cluster with no nodes: the override is stored and its job has nothing to move.
    route: 'POST /api/v1/clusters/:id/force-on-demand',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/clusters/${await cluster(t)}/force-on-demand`, payload: { duration_hours: 1 } }),
    expect: operatorScoped(202),
  },
  {
    route: 'DELETE /api/v1/clusters/:id/force-on-demand',
    targets: ['own', 'other'],
    prepare: async (_c, t) => forced(`/api/v1/clusters/${await cluster(t)}/force-on-demand`),
    expect: operatorScoped(200),
  },
  {
    route: 'POST /api/v1/clients/:id/force-on-demand',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/clients/${tenantOf(t)}/force-on-demand`, payload: { duration_hours: 1 } }),
    expect: operatorScoped(202),
  },
  {
    route: 'DELETE /api/v1/clients/:id/force-on-demand',
    targets: ['own', 'other'],
    prepare: async (_c, t) => forced(`/api/v1/clients/${tenantOf(t)}/force-on-demand`),
    expect: operatorScoped(200),
  },
];

/** A job of tenant t waiting for approval (the runner leaves it alone), with its pending approval. */
async function waitingJob(t: Target): Promise<{ jobId: string; approvalId: string }> {
  const job = await new JobRepository(h.store).create(
    {
      clientId: tenantOf(t),
      kind: 'storage-cleanup',
      status: 'waiting-approval',
      dryRun: true,
      params: { volumeIds: [], snapshotIds: [], snapshotBeforeDelete: false },
      requestedBy: 'someone-else',
      steps: [{ name: 'plan', target: 'storage' }],
    },
    T0,
  );
  const approval = await new ApprovalRepository(h.store).create(
    { clientId: tenantOf(t), jobId: job.id, action: 'storage.delete', summary: 'x', requestedBy: 'someone-else' },
    T0,
  );
  return { jobId: job.id, approvalId: approval.id };
}

/** An instance of a tenant t cluster, running on the sim. */
async function instanceOf(t: Target): Promise<string> {
  const id = await cluster(t);
  const i = h.sim.fleet.launch({
    instanceType: 'm5.large',
    availabilityZone: 'us-east-1a',
    capacityType: 'spot',
    imageId: 'ami-1',
    tags: { [TAG_KEYS.cluster]: id, [TAG_KEYS.tenant]: tenantOf(t) },
  });
  return i.id;
}

const OBJECT_CASES: Case[] = [
  {
    route: 'GET /api/v1/jobs/:id',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/jobs/${(await waitingJob(t)).jobId}` }),
    expect: anyoneScoped(200),
  },
  {
    route: 'POST /api/v1/jobs/:id/cancel',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/jobs/${(await waitingJob(t)).jobId}/cancel`, payload: { reason: 'walk' } }),
    expect: operatorScoped(200),
  },
  {
    route: 'POST /api/v1/approvals/:id/reject',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/approvals/${(await waitingJob(t)).approvalId}/reject`, payload: { reason: 'walk' } }),
    expect: operatorScoped(200),
  },
  {
    route: 'GET /api/v1/instances/:id/switch-history',
    targets: ['own', 'other'],
    // History is read by (caller's tenant, instance): another tenant's instance answers exactly as an
    // unknown one does — 200 with no switches — so nothing about it is learnt.
    prepare: async (_c, t) => ({ url: `/api/v1/instances/${await instanceOf(t)}/switch-history` }),
    expect: () => 200,
  },
  {
    route: 'POST /api/v1/instances/:id/force-on-demand',
    targets: ['own', 'other'],
    prepare: async (_c, t) => ({ url: `/api/v1/instances/${await instanceOf(t)}/force-on-demand`, payload: { duration_hours: 1 } }),
    expect: operatorScoped(202),
  },
];

/** Calls every case as every user, for each target; returns the mismatches and how many calls were made. */
async function walkMatrix(cases: Case[]): Promise<{ problems: string[]; calls: number }> {
  const problems: string[] = [];
  let calls = 0;
  for (const test of cases) {
    for (const user of users.values()) {
      const c: Caller = { user, admin: user.role === 'admin', hub: user.clientId === null };
      for (const t of test.targets ?? ['own']) {
        const { url, payload } = await test.prepare(c, t);
        const [method] = test.route.split(' ');
        const session = await signedIn(h, user);
        const res = await h.app.inject({ method: method as 'GET', url, headers: session.headers, ...(payload ? { payload } : {}) });
        calls++;
        const want = test.expect(c, t);
        if (res.statusCode !== want)
          problems.push(
            `${test.route} [${t}] as ${key(user.role, user.clientId)}: ${want} expected, got ${res.statusCode} ${res.body.slice(0, 160)}`,
          );
      }
    }
  }
  return { problems, calls };
}

describe('tenant-owned objects × role × own or other tenant', () => {
  it('answer 2xx for the own tenant, 404 (never 403) for another tenant’s jobs, approvals and instances, 403 below the route’s role', async () => {
    expect((await walkMatrix(OBJECT_CASES)).problems).toEqual([]);
  });
});

describe('account and tenant routes × role × own or other tenant', () => {
  it('answer 2xx for the own tenant, 404 (never 403) for another tenant’s objects, 403 for a role below the route’s', async () => {
    const { problems, calls } = await walkMatrix(CASES);
    expect(problems).toEqual([]);
    expect(calls).toBe(6 * CASES.reduce((n, c) => n + (c.targets?.length ?? 1), 0));
    // Every route of the account API is in the matrix.
    const account = listRoutes(h.app).filter(
      (r) => r.method !== 'HEAD' && /^\/api\/v1\/(me|users|clients|tokens|clusters|auth\/logout)(\/|$)/.test(r.url),
    );
    expect(account.map((r) => `${r.method} ${r.url}`).sort()).toEqual(CASES.map((c) => c.route).sort());
  });

  it('answers another tenant’s object with the very 404 an unknown id gets', async () => {
    const admin = await signedIn(h, users.get(key('admin', OWN)) as UserRecord);
    const foreign = await makeUser(h.store, { role: 'viewer', clientId: OTHER });
    const unknownId = '7c1d0f7e-0000-4000-8000-000000000000';
    const ask = (id: string) =>
      h.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: admin.headers, payload: { name: 'x' } });
    const [a, b] = [await ask(foreign.id), await ask(unknownId)];
    expect([a.statusCode, b.statusCode]).toEqual([404, 404]);
    expect((a.json() as ErrorBody).error.message.replace(foreign.id, '<id>')).toBe(
      (b.json() as ErrorBody).error.message.replace(unknownId, '<id>'),
    );
  });

  it('shows a tenant’s users only their own client, users and tokens', async () => {
    const viewer = await signedIn(h, users.get(key('viewer', OWN)) as UserRecord);
    const clients = (await h.app.inject({ url: '/api/v1/clients', headers: viewer.headers })).json() as { clients: { id: string }[] };
    expect(clients.clients.map((c) => c.id)).toEqual([OWN]);
    const admin = await signedIn(h, users.get(key('admin', OWN)) as UserRecord);
    const listed = (await h.app.inject({ url: '/api/v1/users', headers: admin.headers })).json() as {
      users: { clientId: string | null }[];
    };
    expect(new Set(listed.users.map((u) => u.clientId))).toEqual(new Set([OWN]));
    const tokens = (await h.app.inject({ url: '/api/v1/tokens', headers: admin.headers })).json() as {
      tokens: { clientId: string | null }[];
    };
    expect(tokens.tokens.length).toBeGreaterThan(0);
    expect(new Set(tokens.tokens.map((t) => t.clientId))).toEqual(new Set([OWN]));
  });
});
