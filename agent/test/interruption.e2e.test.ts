import { join } from 'node:path';
import { type KubeTypes, kubeResources as R } from '@ballast/sim';
import { type HubHandle, InterruptionScenario, type NatsServerHandle, startHub, startNatsServer, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreConnection } from '../../hub/src/store/clickhouse-connection.ts';

// The whole interruption path with real parts: the sim's IMDS shows a spot notice, the real
// agent process notices it, tells the hub, cordons, taints and drains through the sim's
// kube-apiserver, and the instance dies two (virtual) minutes later with nothing on it.
// The same path over both transports: the notice reaches the hub over gRPC or through JetStream.
describe.each(['grpc', 'nats'] as const)('spot interruption handled by the real agent (%s)', (transport) => {
  const dir = tempDir(`interruption-${transport}`);
  let hub: HubHandle;
  let nats: NatsServerHandle | undefined;
  let scenario: InterruptionScenario;

  beforeAll(async () => {
    if (transport === 'nats') nats = await startNatsServer();
    hub = await startHub({ dataDir: dir.path, env: nats ? { BALLAST_NATS_URL: nats.url } : {} });
    const transportEnv: Record<string, string> = nats ? { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url } : {};
    scenario = await InterruptionScenario.start({
      speed: 10,
      // Over NATS no gRPC address works: the notice can only reach the hub through JetStream.
      hubAddress: nats ? '127.0.0.1:1' : hub.grpcAddress,
      spareNodes: 2,
      workloads: {
        daemonSet: { name: 'node-exporter' },
        deployments: [
          { name: 'web', replicas: 8, cpu: '100m', pdb: { maxUnavailable: '50%' }, terminationGracePeriodSeconds: 30 },
          { name: 'cache', replicas: 2, cpu: '100m', emptyDir: true },
        ],
      },
      agentEnv: { BALLAST_IMDS_POLL_INTERVAL_MS: '200', ...transportEnv },
    });
  });

  afterAll(async () => {
    await scenario?.close();
    await hub?.process.stop();
    await nats?.dispose();
    dir.remove();
  });

  it('cordons, taints and evicts every pod that must leave, loses none, and reports to the hub', async () => {
    const node = scenario.node;
    const daemonPod = (scenario.server.store.list(R.pods) as KubeTypes.Pod[]).find(
      (p) => p.spec?.nodeName === node && p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet'),
    );
    const timings = await scenario.interrupt();
    expect(timings.evictedPods).toBe(10);

    const nodeObj = scenario.server.store.get(R.nodes, undefined, node) as KubeTypes.Node;
    expect(nodeObj.spec?.unschedulable).toBe(true);
    expect(nodeObj.spec?.taints).toContainEqual(
      expect.objectContaining({ key: 'ballast.io/interrupted', value: 'true', effect: 'NoSchedule' }),
    );
    // The DaemonSet's pod stays: its controller would put it straight back.
    expect(
      scenario.server.store.get(R.pods, daemonPod?.metadata.namespace, daemonPod?.metadata.name as string)?.metadata.deletionTimestamp,
    ).toBeUndefined();

    // The instance terminates at the notice's deadline; by then every replica runs elsewhere.
    await waitFor('instance terminated', () => scenario.fleet.get(scenario.instance.id)?.state === 'terminated', 30_000);
    const running = (scenario.server.store.list(R.pods) as KubeTypes.Pod[]).filter(
      (p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.metadata.name?.startsWith('web-'),
    );
    expect(running).toHaveLength(8);
    expect(running.every((p) => p.spec?.nodeName !== node)).toBe(true);
    expect(scenario.server.stats.podsLost).toBe(0);

    // The hub heard of the notice and of the drain.
    await new Promise((r) => setTimeout(r, 1_000));
    await scenario.agent.stop();
    await hub.process.stop();
    const { client } = openStoreConnection({ kind: 'chdb', path: join(dir.path, 'chdb') });
    try {
      const rows = await (
        await client.query({
          query: 'SELECT kind, count() AS n FROM events WHERE node = {node:String} GROUP BY kind ORDER BY kind',
          query_params: { node },
          format: 'JSONEachRow',
        })
      ).json<{ kind: string; n: string }>();
      const kinds = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
      expect(kinds.spot_interruption).toBe(1);
      expect(kinds.drain_progress).toBeGreaterThanOrEqual(10);
    } finally {
      await client.close();
    }
  });
});
