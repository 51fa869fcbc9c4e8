import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/core/sim-clock.ts';
import { seedWorkloads } from '../../src/kube/index.ts';
import { R } from '../../src/kube/resources.ts';
import type { Node, Pod } from '../../src/kube/types.ts';
import { kubectl, settle, startTestCluster, type TestCluster, until } from './helpers.ts';

// Speed 100: kubectl waits in real time for evicted pods to disappear, so a 30 s grace
// period must pass in 0.3 s.
const newClock = () => new ScaledClock(Date.parse('2025-01-01T00:00:00Z'), 100);

describe('real kubectl against the simulated API server', () => {
  let c: TestCluster | undefined;
  afterEach(async () => c?.close());

  /** The node hosting the most `web` pods, so a drain has budgeted pods to evict. */
  function busiestNode(): string {
    const counts = new Map<string, number>();
    for (const p of c?.pods('default') ?? [])
      if (p.metadata.labels?.app === 'web' && p.spec.nodeName) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
  }

  it('gets nodes and pods, and cordons a node', async () => {
    c = await startTestCluster(newClock(), 3);
    seedWorkloads(c.server, { deployments: [{ name: 'web', replicas: 3 }], daemonSet: { name: 'agent' } });
    await settle(c.server);
    const kc = c.server.kubeconfigPath;

    const nodes = await kubectl(kc, ['get', 'nodes']);
    expect(nodes.code, nodes.stderr).toBe(0);
    for (const n of c.nodes()) expect(nodes.stdout).toContain(n.metadata.name);
    expect(nodes.stdout).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);

    const pods = await kubectl(kc, ['get', 'pods', '-A', '-o', 'wide']);
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stdout.match(/Running/g)).toHaveLength(6);

    const name = c.nodes()[0]?.metadata.name as string;
    const cordon = await kubectl(kc, ['cordon', name]);
    expect(cordon.code, cordon.stderr).toBe(0);
    expect(cordon.stdout).toContain(`node/${name} cordoned`);
    expect((c.server.store.get(R.nodes, undefined, name) as Node).spec.unschedulable).toBe(true);
    expect((await kubectl(kc, ['get', 'node', name])).stdout).toContain('SchedulingDisabled');
  });

  it('drain is refused by a maxUnavailable: 0 budget and deletes nothing', async () => {
    c = await startTestCluster(newClock(), 3);
    seedWorkloads(c.server, {
      deployments: [{ name: 'web', replicas: 3, pdb: { maxUnavailable: 0 }, emptyDir: true }],
      daemonSet: { name: 'agent' },
    });
    await settle(c.server);
    const before = c
      .pods()
      .map((p) => p.metadata.uid)
      .sort();
    const node = busiestNode();

    const drain = await kubectl(c.server.kubeconfigPath, ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=3s']);
    expect(drain.code).not.toBe(0);
    expect(drain.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect(drain.stderr).toContain('ignoring DaemonSet-managed Pods');
    expect(
      c
        .pods()
        .map((p) => p.metadata.uid)
        .sort(),
    ).toEqual(before);
    expect(c.pods().every((p) => !p.metadata.deletionTimestamp)).toBe(true);
    expect(c.server.stats.evictionsRefused).toBeGreaterThan(0);
    expect(c.server.stats.evictions).toBe(0);
  });

  it('drain with a permissive budget moves the pods to other nodes', async () => {
    c = await startTestCluster(newClock(), 3);
    seedWorkloads(c.server, {
      deployments: [{ name: 'web', replicas: 6, pdb: { maxUnavailable: 1 }, emptyDir: true }],
      daemonSet: { name: 'agent' },
    });
    await settle(c.server);
    const node = busiestNode();
    const onNode = c.pods('default').filter((p) => p.spec.nodeName === node && p.metadata.labels?.app === 'web');
    expect(onNode.length).toBeGreaterThan(0);

    const drain = await kubectl(c.server.kubeconfigPath, ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s']);
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain(`node/${node} drained`);
    for (const p of onNode) expect(drain.stdout).toContain(`pod/${p.metadata.name} evicted`);

    await until(() => {
      const web = c?.pods('default').filter((p) => p.metadata.labels?.app === 'web') ?? [];
      return web.length === 6 && web.every((p) => p.status?.phase === 'Running' && p.spec.nodeName !== node);
    });
    const web = c.pods('default').filter((p: Pod) => p.metadata.labels?.app === 'web');
    expect(new Set(web.map((p) => p.spec.nodeName)).has(node)).toBe(false);
    // The daemon pod stays on the drained node.
    expect(c.pods('default').some((p) => p.metadata.labels?.app === 'agent' && p.spec.nodeName === node)).toBe(true);
    expect(c.server.stats.evictions).toBe(onNode.length);
    expect(c.server.stats.podsLost).toBe(0);
  });

  it('applies a Deployment with default client-side validation, then reconfigures it', async () => {
    c = await startTestCluster(newClock(), 2);
    const manifest = (replicas: number) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: 'default' },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'api' } },
          template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: `api:${replicas}` }] } },
        },
      });
    const { writeFileSync } = await import('node:fs');
    const file = `${c.server.kubeconfigPath}.deploy.json`;
    writeFileSync(file, manifest(2));
    const first = await kubectl(c.server.kubeconfigPath, ['apply', '-f', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('deployment.apps/api created');
    writeFileSync(file, manifest(3));
    const second = await kubectl(c.server.kubeconfigPath, ['apply', '-f', file]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('deployment.apps/api configured');
    await until(() => (c?.pods('default').filter((p) => p.status?.phase === 'Running').length ?? 0) === 3);
    expect(c.pods('default').every((p) => p.spec.containers[0]?.image === 'api:3')).toBe(true);
  });
});
