import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTsProcess, type TestProcess, waitFor } from './child-process.ts';
import { seedMigratedPglite } from './pglite-template.ts';

/** The first admin every test hub starts with (BALLAST_ADMIN_USER / BALLAST_ADMIN_PASSWORD). */
export const TEST_ADMIN_USER = 'admin';
export const TEST_ADMIN_PASSWORD = 'ballast-test-admin-password';

export interface HubHandle {
  process: TestProcess;
  /** An admin API token (hub-wide) of the first admin, made through sign-in at start. */
  adminToken: string;
  /** fetch() on the hub's URL with the admin token (`init.headers` are added to it). */
  api(path: string, init?: RequestInit): Promise<Response>;
  httpUrl: string;
  grpcAddress: string;
  httpPort: number;
  grpcPort: number;
  dataDir: string;
}

export interface HubOptions {
  dataDir?: string;
  httpPort?: number;
  grpcPort?: number;
  env?: Record<string, string>;
  /**
   * The hub's BALLAST_AGENT_ENROLMENT. Default here: `open`, for tests about something else
   * than enrolment (the hub's own default is `required`); enrolment tests pass `required`.
   */
  agentEnrolment?: 'required' | 'open';
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `ballast-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Starts a real hub process (chDB in `dataDir`) on loopback and waits until /health/ready
 * answers 200. Without explicit ports the hub binds port 0 and reports what it got, so two
 * tests can never race for a port; a restart passes the ports of the first start.
 */
export async function startHub(options: HubOptions = {}): Promise<HubHandle> {
  const dataDir = options.dataDir ?? tempDir('hub').path;
  // A restart keeps its metadata; a first start gets a migrated copy instead of PGlite's slow initdb.
  if (!existsSync(join(dataDir, 'metadata'))) await seedMigratedPglite(join(dataDir, 'metadata'));
  const proc = startTsProcess('hub', 'hub/src/main.ts', {
    BALLAST_HTTP_HOST: '127.0.0.1',
    BALLAST_GRPC_HOST: '127.0.0.1',
    PORT: String(options.httpPort ?? 0),
    BALLAST_GRPC_PORT: String(options.grpcPort ?? 0),
    BALLAST_CHDB_PATH: join(dataDir, 'chdb'),
    BALLAST_METADATA_PATH: join(dataDir, 'metadata'),
    BALLAST_FLUSH_INTERVAL_MS: '50',
    BALLAST_ADMIN_USER: TEST_ADMIN_USER,
    BALLAST_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    BALLAST_AGENT_ENROLMENT: options.agentEnrolment ?? 'open',
    ...options.env,
  });
  const ready = await waitFor(
    'hub ready',
    () => {
      if (proc.exitCode !== undefined) throw new Error(`hub exited with ${proc.exitCode}`);
      return proc.logs().find((l) => l.msg === 'hub ready');
    },
    60_000,
    () => proc.tail(),
  );
  const httpPort = Number(ready.http);
  const grpcPort = Number(ready.grpc);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor(
    'hub /health/ready',
    async () => (await fetch(`${httpUrl}/health/ready`)).status === 200,
    30_000,
    () => proc.tail(),
  );
  const adminToken = await mintAdminToken(httpUrl);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${httpUrl}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${adminToken}` },
    });
  return { process: proc, httpUrl, grpcAddress: `127.0.0.1:${grpcPort}`, httpPort, grpcPort, dataDir, adminToken, api };
}

/** Signs in as the test admin and makes a hub-wide admin API token, as a person would. */
export async function mintAdminToken(httpUrl: string): Promise<string> {
  const login = await fetch(`${httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: TEST_ADMIN_USER, password: TEST_ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`test admin sign-in failed: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const made = await fetch(`${httpUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'testkit', role: 'admin' }),
  });
  if (made.status !== 201) throw new Error(`test admin token failed: ${made.status} ${await made.text()}`);
  return ((await made.json()) as { token: string }).token;
}
