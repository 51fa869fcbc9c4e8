import { type AgentHandle, type HubHandle, startAgent, startHub, startTsProcess, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface TableStorage {
  table: string;
  rows: number;
  parts: number;
  bytesOnDisk: number;
  bytesUncompressed: number;
  bytesPerRow: number;
  points: number | null;
  bytesPerPoint: number | null;
}

describe('GET /api/v1/storage/usage on a real hub with a real agent', () => {
  const dir = tempDir('usage');
  let hub: HubHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    // Retention configured away from the defaults: the hub must start with it.
    hub = await startHub({ dataDir: dir.path, env: { BALLAST_RETENTION_RAW_DAYS: '3', BALLAST_RETENTION_LOGS_DAYS: '0' } });
    agent = await startAgent({ hubAddress: hub.grpcAddress, intervalMs: 1000 });
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.process.stop();
    dir.remove();
  });

  const usage = async () => {
    const res = await hub.api(`/api/v1/storage/usage`);
    expect(res.status).toBe(200);
    return (await res.json()) as { tables: TableStorage[]; totalBytesOnDisk: number };
  };

  it('reports every table, and samples and rollups grow as the agent reports', async () => {
    const body = await waitFor(
      'samples and 1m rollups in the usage report',
      async () => {
        const u = await usage();
        const get = (t: string) => u.tables.find((x) => x.table === t);
        return (get('samples')?.rows ?? 0) > 0 && (get('samples_1m')?.points ?? 0) > 0 ? u : undefined;
      },
      20_000,
      () => `${hub.process.tail()}\n${agent.process.tail()}`,
    );
    expect(body.tables.map((t) => t.table)).toEqual(
      expect.arrayContaining(['series', 'samples', 'samples_1m', 'samples_1h', 'ingest_batches', 'agents', 'events', 'logs']),
    );
    const samples = body.tables.find((t) => t.table === 'samples') as TableStorage;
    expect(samples.bytesOnDisk).toBeGreaterThan(0);
    expect(samples.parts).toBeGreaterThan(0);
    expect(samples.points).toBe(samples.rows);
    expect(samples.bytesPerPoint).toBeCloseTo(samples.bytesOnDisk / samples.rows, 9);
    expect(body.tables.find((t) => t.table === 'agents')?.points).toBeNull();
    expect(body.totalBytesOnDisk).toBe(body.tables.reduce((s, t) => s + t.bytesOnDisk, 0));
  });
});

describe('clickhouseCluster on chDB', () => {
  it('stops the hub with a message naming the field', async () => {
    const dir = tempDir('cluster-chdb');
    try {
      const proc = startTsProcess('hub-cluster', 'hub/src/main.ts', {
        BALLAST_CHDB_PATH: `${dir.path}/chdb`,
        BALLAST_METADATA_PATH: `${dir.path}/metadata`,
        BALLAST_HTTP_HOST: '127.0.0.1',
        BALLAST_GRPC_HOST: '127.0.0.1',
        PORT: '0',
        BALLAST_GRPC_PORT: '0',
        BALLAST_CLICKHOUSE_CLUSTER: 'fleet',
      });
      expect(await proc.wait()).toBe(1);
      expect(proc.output.join('\n')).toMatch(
        /clickhouseCluster \(--clickhouse-cluster, BALLAST_CLICKHOUSE_CLUSTER\) needs --store clickhouse/,
      );
    } finally {
      dir.remove();
    }
  });
});
