import { totalmem } from 'node:os';
import { type AgentHandle, type HubHandle, startAgent, startHub, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface QueryAnswer {
  series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>;
}

describe('agent → gRPC → hub → ClickHouse → REST API', () => {
  const dir = tempDir('e2e');
  let hub: HubHandle;
  let agent: AgentHandle;
  let agentStartedAt: number;

  beforeAll(async () => {
    hub = await startHub({ dataDir: dir.path });
    agentStartedAt = Date.now();
    agent = await startAgent({ hubAddress: hub.grpcAddress, intervalMs: 1000 });
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.process.stop();
    dir.remove();
  });

  async function query(metric: string, extra = ''): Promise<QueryAnswer> {
    const start = Math.floor(agentStartedAt / 1000) - 60;
    const res = await hub.api(`/api/v1/metrics/query?metric=${metric}&match[node]=${agent.node}&start=${start}&step=1s${extra}`);
    expect(res.status).toBe(200);
    return (await res.json()) as QueryAnswer;
  }

  it('stores CPU and memory samples within 15 s, with plausible values', async () => {
    const memory = await waitFor(
      'memory samples through the API',
      async () => {
        const a = await query('node_memory_total_bytes');
        return a.series[0]?.points.length ? a : undefined;
      },
      15_000,
      () => `${hub.process.tail()}\n${agent.process.tail()}`,
    );
    expect(Date.now() - agentStartedAt).toBeLessThan(15_000);
    expect(memory.series).toHaveLength(1);
    expect(memory.series[0]?.labels).toMatchObject({ node: agent.node, cluster: 'test' });
    for (const [, v] of memory.series[0]?.points ?? []) expect(v).toBe(totalmem());

    const cpu = await waitFor('cpu samples', async () => {
      const a = await query('node_cpu_usage_percent');
      return a.series[0]?.points.length ? a : undefined;
    });
    for (const [, v] of cpu.series[0]?.points ?? []) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }

    // Modes are separate series of one metric, each a share of the CPU.
    const modes = await query('node_cpu_mode_percent');
    expect(modes.series.map((s) => s.labels.mode).sort()).toEqual(['idle', 'irq', 'nice', 'steal', 'system', 'user']);

    const available = await query('node_memory_available_bytes');
    const v = available.series[0]?.points[0]?.[1] ?? -1;
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThanOrEqual(totalmem());
  });

  it('lists the node with its agent version and a recent last-seen time', async () => {
    const res = await hub.api(`/api/v1/nodes`);
    const body = (await res.json()) as { nodes: Array<Record<string, unknown>> };
    const node = body.nodes.find((n) => n.node === agent.node);
    expect(node).toMatchObject({ cluster: 'test', tenant: 'default', agentVersion: '0.1.0', connected: true });
    expect(Date.now() - Date.parse(String(node?.lastSeen))).toBeLessThan(10_000);
  });

  it('answers a bad query parameter with a 400 that names it', async () => {
    for (const [qs, parameter] of [
      ['metric=node_load1&step=0', 'step'],
      ['step=10s', 'metric'],
      ['metric=node_load1&start=200&end=100', 'start'],
      ['metric=node_load1&agg=median', 'agg'],
      ['metric=node_load1&start=yesterday', 'start'],
    ] as const) {
      const res = await hub.api(`/api/v1/metrics/query?${qs}`);
      expect(res.status, qs).toBe(400);
      const body = (await res.json()) as { error: { code: string; parameter: string; message: string } };
      expect(body.error.code).toBe('BAD_PARAMETER');
      expect(body.error.parameter).toBe(parameter);
      expect(body.error.message).toContain(parameter);
    }
  });

  it('reports live and ready', async () => {
    expect((await fetch(`${hub.httpUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${hub.httpUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
