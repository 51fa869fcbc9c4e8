import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTsProcess, type TestProcess, waitFor } from './child-process.ts';
import { seedMigratedPglite } from './pglite-template.ts';

export interface HubHandle {
  process: TestProcess;
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
  return { process: proc, httpUrl, grpcAddress: `127.0.0.1:${grpcPort}`, httpPort, grpcPort, dataDir };
}
