import {
  type AgentHandle,
  type HubHandle,
  type NatsServerHandle,
  startAgent,
  startHub,
  startNatsServer,
  tempDir,
  waitFor,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface QueryAnswer {
  series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>;
}

describe('agent → NATS JetStream → hub → ClickHouse → REST API', () => {
  const dir = tempDir('nats-e2e');
  let nats: NatsServerHandle;
  let hub: HubHandle;
  let agent: AgentHandle;
  let agentStartedAt: number;

  beforeAll(async () => {
    nats = await startNatsServer();
    hub = await startHub({ dataDir: dir.path, env: { BALLAST_NATS_URL: nats.url } });
    agentStartedAt = Date.now();
    agent = await startAgent({
      hubAddress: '127.0.0.1:1', // unused: the agent talks to NATS only
      intervalMs: 500,
      env: { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url },
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.process.stop();
    await nats?.dispose();
    dir.remove();
  });

  it("serves the node's samples through the metrics API and lists the node", async () => {
    const start = Math.floor(agentStartedAt / 1000) - 60;
    const memory = await waitFor(
      'memory samples through the API',
      async () => {
        const res = await hub.api(`/api/v1/metrics/query?metric=node_memory_total_bytes&match[node]=${agent.node}&start=${start}&step=1s`);
        const a = (await res.json()) as QueryAnswer;
        return a.series[0]?.points.length ? a : undefined;
      },
      15_000,
      () => `${hub.process.tail()}\n${agent.process.tail()}`,
    );
    expect(memory.series[0]?.labels).toMatchObject({ node: agent.node, cluster: 'test' });
    expect((await agent.metrics()).ballast_agent_connected).toBe(1);

    const body = (await (await hub.api(`/api/v1/nodes`)).json()) as { nodes: Array<Record<string, unknown>> };
    expect(body.nodes.find((n) => n.node === agent.node)).toMatchObject({
      cluster: 'test',
      tenant: 'default',
      agentVersion: '0.1.0',
      connected: true,
    });
  });
});
