import { mintAdminToken, startTsProcess, TEST_ADMIN_PASSWORD, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm start` as the README promises it: the simulator, the hub on embedded defaults and
// real agents, with the hub's catalog pricing the simulated account. Everything under a
// temp dir and on free ports.
const dir = tempDir('demo');
let url = '';
const demo = startTsProcess('demo', 'scripts/start.ts', {
  PORT: '0',
  BALLAST_GRPC_PORT: '0',
  BALLAST_HTTP_HOST: '127.0.0.1',
  BALLAST_GRPC_HOST: '127.0.0.1',
  BALLAST_CHDB_PATH: `${dir.path}/chdb`,
  BALLAST_METADATA_PATH: `${dir.path}/metadata`,
  BALLAST_LOG_LEVEL: 'warn',
  BALLAST_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
});
let token = '';
/** The demo's API as its admin (the README: sign in, make a token). */
const api = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  const line = await waitFor(
    'npm start to print its console URL',
    () => demo.output.find((l) => l.includes('Ballast is running')),
    120_000,
    () => demo.tail(),
  );
  url = (/http:\/\/localhost:\d+/.exec(line) as RegExpExecArray)[0];
  token = await mintAdminToken(url);
}, 130_000);

afterAll(async () => {
  await demo.stop();
  dir.remove();
});

describe('npm start', () => {
  it('serves the pool table priced from the simulated account', async () => {
    const res = await api(`/api/v1/pools?capacityType=spot&limit=5`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; pools: Array<{ price: { perHour: number } | null; total: number }> };
    expect(body.total).toBeGreaterThan(0);
    for (const p of body.pools) {
      expect(p.price?.perHour).toBeGreaterThan(0);
      expect(p.total).toBeGreaterThan(0);
    }
  });

  it('serves the storage inventory and the job list of the simulated account', async () => {
    const volumes = await api(`/api/v1/storage/volumes`);
    expect(volumes.status).toBe(200);
    const body = (await volumes.json()) as { volumes: Array<{ volumeId: string }> };
    expect(body.volumes.length).toBeGreaterThan(0);
    const jobs = await api(`/api/v1/jobs`);
    expect(jobs.status).toBe(200);
  });

  it('has its simulated agents reporting', async () => {
    const nodes = await waitFor(
      'agents to appear',
      async () => {
        const body = (await (await api(`/api/v1/nodes`)).json()) as { nodes: Array<{ connected: boolean }> };
        return body.nodes.filter((n) => n.connected).length > 0 ? body.nodes : undefined;
      },
      60_000,
    );
    expect(nodes.length).toBeGreaterThan(0);
  });
});
