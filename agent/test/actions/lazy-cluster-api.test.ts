import { createLogger, loadConfig } from '@ballast/common';
import type { CommandResult } from '@ballast/proto';
import { CommandSchema } from '@ballast/proto';
import { type KubeTypes, kubeResources as R } from '@ballast/sim';
import { create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { buildActions } from '../../src/actions/build-actions.ts';
import { LazyClusterApi } from '../../src/actions/lazy-cluster-api.ts';
import { AGENT_CONFIG } from '../../src/config/agent-config.ts';
import { type DrainCluster, startDrainCluster, until } from '../executors/sim-cluster.ts';
import { FakeTransport } from '../pipeline/fakes.ts';

const log = createLogger('test', 'silent');

/** Plays the hub's end: keeps the command results the agent sends. */
class ResultTransport extends FakeTransport {
  readonly results: CommandResult[] = [];
  override sendCommandResult(result: CommandResult): void {
    this.results.push(result);
  }
}

describe('the agent’s Kubernetes client, loaded at the first cordon or drain', () => {
  let c: DrainCluster | null = null;
  afterEach(async () => {
    await c?.close();
    c = null;
  });

  it('builds the acting side without loading the client, then cordons and drains through it on the hub’s order', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'web', replicas: 2 }] }, { speed: 20 });
    const cluster = c;
    const config = { ...loadConfig(AGENT_CONFIG, [], {}), node: cluster.node, kubeconfig: cluster.server.kubeconfigPath };
    const transport = new ResultTransport();
    const actions = buildActions(config, null, 'spot', transport, cluster.clock, log);
    expect(actions.cluster).toBeInstanceOf(LazyClusterApi);
    expect((actions.cluster as LazyClusterApi).loaded).toBe(false);

    actions.commands.onCommand(create(CommandSchema, { id: 'c1', kind: { case: 'cordon', value: {} } }));
    await until(() => transport.results.length === 1);
    expect(transport.results[0]).toMatchObject({ commandId: 'c1', ok: true });
    expect((actions.cluster as LazyClusterApi).loaded).toBe(true);
    expect((cluster.server.store.get(R.nodes, undefined, cluster.node) as KubeTypes.Node).spec?.unschedulable).toBe(true);

    actions.commands.onCommand(
      create(CommandSchema, { id: 'c2', kind: { case: 'drain', value: { deadlineMs: BigInt(cluster.clock.now() + 120_000) } } }),
    );
    await until(() => transport.results.length === 2, 20_000);
    expect(transport.results[1]).toMatchObject({ commandId: 'c2', ok: true });
    expect(
      cluster.pods((p) => p.spec?.nodeName === cluster.node && !p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet')),
    ).toEqual([]);
  });

  it('rejects the calls of a load that failed and loads again at the next call', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'web', replicas: 1 }] }, { speed: 20 });
    const cluster = c;
    let attempts = 0;
    const api = new LazyClusterApi(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('kubeconfig unreadable');
      return cluster.api;
    });
    await expect(api.getNode(cluster.node)).rejects.toThrow('kubeconfig unreadable');
    expect((await api.getNode(cluster.node)).name).toBe(cluster.node);
    expect((await api.listPodsOnNode(cluster.node)).some((p) => p.name.startsWith('web-'))).toBe(true);
    expect(attempts).toBe(2);
  });

  it('starts a pod watch once loaded, and a watch stopped before that never starts', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'web', replicas: 2 }] }, { speed: 20 });
    const cluster = c;
    const api = new LazyClusterApi(async () => cluster.api);
    const seen: string[] = [];
    const watch = api.watchPodsOnNode(cluster.node, (e) => seen.push(`${e.type} ${e.pod.name}`));
    await watch.synced;
    expect(seen.filter((s) => s.startsWith('added web-'))).toHaveLength(2);
    await watch.stop();
    const stopped = api.watchPodsOnNode(cluster.node, () => seen.push('late'));
    await stopped.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).not.toContain('late');
  });
});
