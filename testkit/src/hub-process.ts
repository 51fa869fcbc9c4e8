import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTsProcess, type TestProcess, waitFor } from './child-process.ts';
import { freePort } from './free-port.ts';

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

/** Starts a real hub process (chDB in `dataDir`) on loopback and waits until /health/ready answers 200. */
export async function startHub(options: HubOptions = {}): Promise<HubHandle> {
  const dataDir = options.dataDir ?? tempDir('hub').path;
  const httpPort = options.httpPort ?? (await freePort());
  const grpcPort = options.grpcPort ?? (await freePort());
  const proc = startTsProcess('hub', 'hub/src/main.ts', {
    BALLAST_HTTP_HOST: '127.0.0.1',
    BALLAST_GRPC_HOST: '127.0.0.1',
    PORT: String(httpPort),
    BALLAST_GRPC_PORT: String(grpcPort),
    BALLAST_CHDB_PATH: join(dataDir, 'chdb'),
    BALLAST_FLUSH_INTERVAL_MS: '50',
    ...options.env,
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor(
    'hub ready',
    async () => {
      if (proc.exitCode !== undefined) throw new Error(`hub exited with ${proc.exitCode}`);
      const res = await fetch(`${httpUrl}/health/ready`);
      return res.status === 200;
    },
    30_000,
    () => proc.tail(),
  );
  return { process: proc, httpUrl, grpcAddress: `127.0.0.1:${grpcPort}`, httpPort, grpcPort, dataDir };
}
