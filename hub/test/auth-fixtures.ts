import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type ApiServerDeps, buildApiServer } from '../src/api/api-server.ts';
import type { AuthDeps } from '../src/auth/auth-runtime.ts';
import { type AuthSettings, DEFAULT_AUTH_SETTINGS } from '../src/auth/auth-settings.ts';
import { hashPassword } from '../src/auth/password-hash.ts';
import type { Role } from '../src/auth/roles.ts';
import { csrfTokenFor, newSecret } from '../src/auth/secret-token.ts';
import {
  type MetadataStore,
  openMetadataStore,
  SessionRepository,
  TenantRepository,
  type UserRecord,
  UserRepository,
} from '../src/state/index.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Cheap scrypt for fixtures: the default's cost is checked once, in auth-passwords.test.ts. */
export const TEST_SCRYPT = { logN: 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

/** A clock tests move by hand: sessions, tokens and lockouts follow it, never the wall clock. */
export class TestClock {
  constructor(public ms = T0) {}
  now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
  // Timers (a hub's flushes and retries) run in real time: only what reads the time follows the test.
  setTimeout = (fn: () => void, ms: number) => setTimeout(fn, ms);
  clearTimeout = (h: ReturnType<typeof setTimeout>) => clearTimeout(h);
}

/**
 * Stands in for every dependency of buildApiServer this test does not provide: any
 * property is another stand-in, callable, never a promise. Routes register as in the hub
 * (optional parts included) even as the hub grows new dependencies; a handler that
 * reaches one just fails, which the route walk does not mind (it checks the auth layer).
 */
function standIn(): unknown {
  const fn = () => proxy;
  const proxy: unknown = new Proxy(fn, {
    get: (_t, key) => (key === 'then' || typeof key === 'symbol' ? undefined : proxy),
    apply: () => proxy,
  });
  return proxy;
}

export interface AuthHarness {
  app: FastifyInstance;
  store: MetadataStore;
  settings: AuthSettings;
  clock: TestClock;
  close(): Promise<void>;
}

/**
 * The hub's API server (buildApiServer: its error handler, sign-in from `deps.auth` and
 * every route it registers) on stand-in planes, for tests of the account routes. The route
 * walk uses hubHarness (hub-harness.ts) instead: the hub exactly as main wires it.
 */
export async function authHarness(
  given: Partial<AuthSettings> = {},
  shared?: MetadataStore,
  beforeReady: (app: FastifyInstance) => void = () => undefined,
  /** Options of buildApiServer a test turns on (logs, rate limit, CORS). */
  options: Pick<Partial<ApiServerDeps>, 'http' | 'log'> = {},
): Promise<AuthHarness> {
  // PGlite's initdb takes seconds: a second harness in a file may share the first one's store.
  const store = shared ?? (await openMetadataStore({ kind: 'pglite', path: null }));
  if (!shared) await store.migrate();
  const consoleDir = mkdtempSync(join(tmpdir(), 'ballast-auth-console-'));
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Ballast</title>');
  const clock = new TestClock();
  const settings: AuthSettings = { ...DEFAULT_AUTH_SETTINGS, scrypt: TEST_SCRYPT, ...given };
  const auth: AuthDeps = { store, now: clock.now, settings };
  // Options that change behaviour when present are absent here, as in a plain call.
  const known = {
    consoleDir,
    defaultTenant: 'default',
    now: clock.now,
    readiness: [],
    auth,
    http: undefined,
    log: undefined,
    cluster: undefined,
    version: undefined,
    ...options,
  } as Record<string, unknown>;
  const deps = new Proxy(known, { get: (t, key) => (key in t ? t[key as string] : standIn()) }) as unknown as ApiServerDeps;
  const app = await buildApiServer(deps);
  beforeReady(app);
  await app.ready();
  return {
    app,
    store,
    settings,
    clock,
    close: async () => {
      await app.close();
      if (!shared) await store.close();
      rmSync(consoleDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
export const unique = (base: string) => `${base}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

export async function ensureClient(store: MetadataStore, id: string, clusters: string[] = []): Promise<void> {
  const tenants = new TenantRepository(store);
  if (!(await tenants.getClient(id))) await tenants.createClient({ id, name: id.toUpperCase() }, T0);
  for (const c of clusters) await tenants.ensureCluster(id, c, T0);
}

export async function makeUser(
  store: MetadataStore,
  o: { role: Role; clientId: string | null; username?: string; password?: string },
): Promise<UserRecord> {
  const passwordHash = await hashPassword(o.password ?? PASSWORD, TEST_SCRYPT);
  const username = o.username ?? unique(`${o.role}-${o.clientId ?? 'hub'}`);
  return new UserRepository(store).create({ username, name: username, role: o.role, clientId: o.clientId, passwordHash }, T0);
}

/** Headers of a signed-in browser: the session cookie and the anti-CSRF header it echoes. */
export interface Caller {
  user: UserRecord;
  headers: Record<string, string>;
  sessionToken: string;
}

/** A session made directly in the store (no sign-in round trip, no rate limit). */
export async function signedIn(h: AuthHarness, user: UserRecord): Promise<Caller> {
  const s = newSecret('session');
  await new SessionRepository(h.store).create(
    { id: s.hash, userId: user.id, expiresAt: h.clock.ms + h.settings.sessionTtlMs, sourceIp: null },
    h.clock.ms,
  );
  return { user, sessionToken: s.token, headers: { cookie: `ballast_session=${s.token}`, 'x-csrf-token': csrfTokenFor(s.token) } };
}

export interface ErrorBody {
  error: { code: string; message: string; parameter?: string };
}

/** Every row of the account tables and the audit log, as text: what a leaked secret would show up in. */
export async function dumpAccountTables(store: MetadataStore): Promise<string> {
  const tables = ['users', 'sessions', 'api_tokens', 'enrolment_tokens', 'login_failures', 'audit_log', 'clients', 'clusters'];
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify((await store.query(`SELECT * FROM ${t}`)).rows));
  return parts.join('\n');
}

export async function countRows(store: MetadataStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['users', 'sessions', 'api_tokens', 'enrolment_tokens', 'clients', 'clusters', 'audit_log']) {
    out[t] = (await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]?.n ?? 0;
  }
  return out;
}
