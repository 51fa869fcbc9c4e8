import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterApi } from '../src/cluster-api.ts';
import { ClusterApiError } from '../src/cluster-api-error.ts';
import type { ClusterPod, PodWatchEvent } from '../src/cluster-types.ts';

/**
 * The world every ClusterApi implementation is tested against. In namespace `contract`, all
 * on `node`:
 * - Deployment `free`: 2 replicas, an emptyDir volume, terminationGracePeriodSeconds 45,
 *   PDB `free-pdb` with maxUnavailable 100%;
 * - Deployment `locked`: 1 replica, PDB `locked-pdb` with maxUnavailable 0;
 * - bare pod `lonely` (no owner);
 * - DaemonSet `agent` (one pod on every node).
 * `otherNode` exists and is Ready. Every pod is Running and Ready.
 */
export interface ContractWorld {
  api: ClusterApi;
  node: string;
  otherNode: string;
  /** Creates a bare pod bound to the node, behind the API's back. */
  createPodOn(node: string, name: string): Promise<void>;
  /** Creates a second budget selecting `locked`'s pods, which makes their eviction a configuration error. */
  addOverlappingPdb(): Promise<void>;
  /** Drops the server's watch history so open and resuming watches get 410 Expired. */
  expireWatchHistory(): void;
  /** Events recorded about the object, in creation order. */
  eventsAbout(kind: string, name: string): Promise<Array<{ reason: string; message: string; type: string; component: string }>>;
  close(): Promise<void>;
}

export const NS = 'contract';

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rejection(p: Promise<unknown>): Promise<ClusterApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClusterApiError);
  return err as ClusterApiError;
}

export function describeClusterApiContract(name: string, makeWorld: () => Promise<ContractWorld>): void {
  describe(`ClusterApi contract: ${name}`, () => {
    let w: ContractWorld;
    beforeEach(async () => {
      w = await makeWorld();
    });
    afterEach(async () => w.close());

    const podsOf = async (app: string) => (await w.api.listPodsOnNode(w.node)).filter((p) => p.namespace === NS && p.labels.app === app);

    it('reads nodes; a missing node is not-found', async () => {
      const node = await w.api.getNode(w.node);
      expect(node).toMatchObject({ name: w.node, ready: true, unschedulable: false, taints: [] });
      expect(node.uid).not.toBe('');
      // When it joined: a real time, not in the future (the sim's clock may run behind the wall clock).
      expect(node.createdAtMs).toBeGreaterThan(Date.parse('2000-01-01T00:00:00Z'));
      expect(node.createdAtMs).toBeLessThanOrEqual(Date.now() + 60_000);
      expect((await w.api.listNodes()).map((n) => n.name).sort()).toEqual([w.node, w.otherNode].sort());
      expect((await w.api.listNodes(`kubernetes.io/hostname=${w.otherNode}`)).map((n) => n.name)).toEqual([w.otherNode]);
      expect((await rejection(w.api.getNode('no-such-node'))).kind).toBe('not-found');
    });

    it('cordons and uncordons idempotently', async () => {
      expect((await w.api.cordon(w.node)).unschedulable).toBe(true);
      expect((await w.api.cordon(w.node)).unschedulable).toBe(true);
      expect((await w.api.uncordon(w.node)).unschedulable).toBe(false);
      expect((await w.api.uncordon(w.node)).unschedulable).toBe(false);
      expect((await rejection(w.api.cordon('no-such-node'))).kind).toBe('not-found');
    });

    it('adds, updates and removes taints without duplicates or lost neighbours', async () => {
      const t = { key: 'ballast.io/interrupted', value: 'true', effect: 'NoSchedule' as const };
      const first = await w.api.addTaint(w.node, t);
      const again = await w.api.addTaint(w.node, t);
      expect(again.taints).toEqual([t]);
      expect(again.resourceVersion).toBe(first.resourceVersion);
      await w.api.addTaint(w.node, { key: 'other', effect: 'NoExecute' });
      expect((await w.api.addTaint(w.node, { ...t, value: 'soon' })).taints).toEqual([
        { ...t, value: 'soon' },
        { key: 'other', effect: 'NoExecute' },
      ]);
      expect((await w.api.removeTaint(w.node, t.key)).taints).toEqual([{ key: 'other', effect: 'NoExecute' }]);
      expect((await w.api.removeTaint(w.node, t.key)).taints).toEqual([{ key: 'other', effect: 'NoExecute' }]);
      expect((await rejection(w.api.addTaint('no-such-node', t))).kind).toBe('not-found');
    });

    it('concurrent taint writers both win (conflicts are retried on fresh reads)', async () => {
      const keys = ['a', 'b', 'c', 'd'].map((k) => `ballast.io/${k}`);
      await Promise.all(keys.map((key) => w.api.addTaint(w.node, { key, effect: 'NoSchedule' })));
      expect((await w.api.getNode(w.node)).taints.map((t) => t.key).sort()).toEqual(keys);
    });

    it('lists the pods on a node with owners, grace and emptyDir volumes', async () => {
      const pods = (await w.api.listPodsOnNode(w.node)).filter((p) => p.namespace === NS);
      expect(pods.every((p) => p.nodeName === w.node && p.phase === 'Running' && p.ready)).toBe(true);
      const byApp = (app: string) => pods.filter((p) => p.labels.app === app);
      expect(byApp('free')).toHaveLength(2);
      expect(byApp('free')[0]).toMatchObject({ terminationGracePeriodSeconds: 45, emptyDirVolumes: ['scratch'] });
      expect(byApp('free')[0]?.controller?.kind).toBe('ReplicaSet');
      expect(byApp('agent')[0]?.controller?.kind).toBe('DaemonSet');
      // The world seeds the sim's default pod shape (100m / 128Mi) and 50m / 64Mi for the DaemonSet.
      expect(byApp('free')[0]?.requests).toEqual({ cpuMillis: 100, memoryMib: 128 });
      expect(byApp('agent')[0]?.requests).toEqual({ cpuMillis: 50, memoryMib: 64 });
      const lonely = pods.find((p) => p.name === 'lonely') as ClusterPod;
      expect(lonely.controller).toBeUndefined();
      expect(lonely.owners).toEqual([]);
      expect(await w.api.listPodsOnNode('no-such-node')).toEqual([]);
    });

    it('evicts through the budget: accepted, refused with the budget named, or already gone', async () => {
      const [free] = await podsOf('free');
      const ok = await w.api.evictPod(NS, free?.name as string, { gracePeriodSeconds: 7 });
      expect(ok.outcome).toBe('evicted');
      const terminating = (await w.api.listPodsOnNode(w.node)).find((p) => p.uid === free?.uid);
      expect(terminating?.deletionTimestamp).toBeDefined();

      const [locked] = await podsOf('locked');
      const refused = await w.api.evictPod(NS, locked?.name as string);
      expect(refused).toMatchObject({ outcome: 'blocked-by-pdb', pdbName: 'locked-pdb' });
      expect(refused.message).toContain('locked-pdb');
      expect((await w.api.listPodsOnNode(w.node)).find((p) => p.uid === locked?.uid)?.deletionTimestamp).toBeUndefined();

      expect((await w.api.evictPod(NS, 'no-such-pod')).outcome).toBe('not-found');
    });

    it('a dry-run eviction checks the budget and changes nothing', async () => {
      const before = await w.api.listPodsOnNode(w.node);
      const [free] = await podsOf('free');
      const [locked] = await podsOf('locked');
      expect((await w.api.evictPod(NS, free?.name as string, { dryRun: true })).outcome).toBe('evicted');
      expect((await w.api.evictPod(NS, locked?.name as string, { dryRun: true })).outcome).toBe('blocked-by-pdb');
      const after = await w.api.listPodsOnNode(w.node);
      expect(after.map((p) => `${p.uid}@${p.resourceVersion}`).sort()).toEqual(before.map((p) => `${p.uid}@${p.resourceVersion}`).sort());
    });

    it('a pod matched by two budgets cannot be evicted: invalid', async () => {
      await w.addOverlappingPdb();
      const [locked] = await podsOf('locked');
      expect((await rejection(w.api.evictPod(NS, locked?.name as string))).kind).toBe('invalid');
    });

    it('deletes pods regardless of budgets; a missing pod is not-found', async () => {
      const [locked] = await podsOf('locked');
      await w.api.deletePod(NS, locked?.name as string, 0, { uid: locked?.uid });
      expect((await w.api.listPodsOnNode(w.node)).some((p) => p.uid === locked?.uid)).toBe(false);
      expect((await rejection(w.api.deletePod(NS, 'no-such-pod', 0))).kind).toBe('not-found');
    });

    it('lists budgets with their status numbers', async () => {
      const pdbs = await w.api.listPdbs(NS);
      expect(pdbs.map((p) => p.name).sort()).toEqual(['free-pdb', 'locked-pdb']);
      expect(pdbs.find((p) => p.name === 'locked-pdb')).toMatchObject({
        namespace: NS,
        maxUnavailable: 0,
        selector: { matchLabels: { app: 'locked' } },
        status: { expectedPods: 1, currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0 },
      });
      expect((await w.api.listPdbs()).length).toBeGreaterThanOrEqual(2);
      expect(await w.api.listPdbs('default')).toEqual([]);
    });

    it('records events on the node', async () => {
      await w.api.createEvent({ kind: 'Node', name: w.node }, { reason: 'DrainStarted', message: 'spot notice', type: 'Normal' });
      await w.api.createEvent({ kind: 'Node', name: w.node }, { reason: 'DrainBlocked', message: 'locked-pdb', type: 'Warning' });
      expect(await w.eventsAbout('Node', w.node)).toEqual([
        { reason: 'DrainStarted', message: 'spot notice', type: 'Normal', component: 'ballast-agent' },
        { reason: 'DrainBlocked', message: 'locked-pdb', type: 'Warning', component: 'ballast-agent' },
      ]);
    });

    it('watches a node’s pods: initial list, changes, and a relist after 410 that misses nothing', async () => {
      const seen: PodWatchEvent[] = [];
      const errors: Error[] = [];
      const watch = w.api.watchPodsOnNode(w.node, (e) => seen.push(e), { onError: (e) => errors.push(e) });
      await watch.synced;
      const initial = (await w.api.listPodsOnNode(w.node)).map((p) => p.uid).sort();
      expect(
        seen
          .filter((e) => e.type === 'added')
          .map((e) => e.pod.uid)
          .sort(),
      ).toEqual(initial);
      const has = (type: string, name: string) => seen.some((e) => e.type === type && e.pod.name === name);

      await w.createPodOn(w.node, 'w1');
      await w.createPodOn(w.otherNode, 'elsewhere');
      await until(() => has('added', 'w1'));
      await w.api.deletePod(NS, 'lonely', 0);
      await until(() => has('deleted', 'lonely'));

      w.expireWatchHistory();
      await w.createPodOn(w.node, 'w2');
      await until(() => has('added', 'w2'));
      expect(seen.some((e) => e.pod.name === 'elsewhere')).toBe(false);
      await watch.stop();
      const count = seen.length;
      await w.createPodOn(w.node, 'w3');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.length).toBe(count);
      await watch.stop();
      expect(errors).toEqual([]);
    });
  });
}
