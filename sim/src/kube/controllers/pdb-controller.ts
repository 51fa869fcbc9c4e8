import type { KubeCluster } from '../kube-cluster.ts';
import type { StoreEvent } from '../object-store.ts';
import { controllerOf, isoTime, isPodReady } from '../pod-util.ts';
import { ReconcileQueue } from '../reconcile-queue.ts';
import { R } from '../resources.ts';
import { selectorPredicate } from '../selectors.ts';
import type { Deployment, Pod, PodDisruptionBudget, ReplicaSet } from '../types.ts';
import { budgetNumbers } from './disruption-math.ts';

/** How long an eviction's entry in `disruptedPods` holds a pod out of the healthy count (Kubernetes' DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60_000;

/**
 * The disruption controller: keeps each PDB's status (expectedPods, currentHealthy,
 * desiredHealthy, disruptionsAllowed, observedGeneration, disruptedPods) in step with
 * its pods. A pod change marks only the PDBs of its namespace whose selector matches it.
 */
export class PdbController {
  private readonly queue = new ReconcileQueue<string>((keys) => {
    for (const k of keys) this.sync(k);
  });
  private readonly unsubscribe: (() => void)[] = [];
  /** PDB key → names of the pods its selector matches, kept up to date per pod event so a sync never scans the namespace. */
  private readonly members = new Map<string, Set<string>>();
  private readonly predicates = new Map<string, { selector: string; matches: (labels: Record<string, string> | undefined) => boolean }>();
  /** Stored PDB snapshots are immutable, so a snapshot already checked needs no selector comparison. */
  private readonly checked = new WeakSet<PodDisruptionBudget>();

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    this.unsubscribe.push(
      store.subscribe(R.pdbs, (e) => {
        const key = keyOf(e.object.metadata.namespace, e.object.metadata.name);
        if (e.type === 'DELETED') {
          this.members.delete(key);
          this.predicates.delete(key);
        } else this.queue.mark(key);
      }),
      store.subscribe(R.pods, (e) => this.onPod(e)),
      // maxUnavailable and percentages count the owners' declared replicas.
      ...[R.deployments, R.replicaSets].map((r) =>
        store.subscribe(r, (e) => {
          const prev = e.prev?.spec as { replicas?: number } | undefined;
          const next = e.object.spec as { replicas?: number } | undefined;
          if (prev?.replicas !== next?.replicas) this.markNamespace(e.object.metadata.namespace as string);
        }),
      ),
    );
    for (const p of store.list(R.pdbs)) this.queue.mark(keyOf(p.metadata.namespace, p.metadata.name));
  }

  /** Recomputes now instead of on the next tick (tests, and eviction's freshness check). */
  flush(): void {
    this.queue.flush();
  }

  private onPod(e: StoreEvent): void {
    const ns = e.object.metadata.namespace as string;
    const podName = e.object.metadata.name as string;
    for (const pdb of this.cluster.store.list(R.pdbs, ns) as PodDisruptionBudget[]) {
      const key = keyOf(ns, pdb.metadata.name);
      const set = this.members.get(key);
      if (!set) {
        this.queue.mark(key);
        continue;
      }
      const matches = this.predicate(key, pdb);
      const now = e.type !== 'DELETED' && matches(e.object.metadata.labels);
      if (now || set.has(podName)) this.queue.mark(key);
      if (now) set.add(podName);
      else set.delete(podName);
    }
  }

  private predicate(key: string, pdb: PodDisruptionBudget): (labels: Record<string, string> | undefined) => boolean {
    let p = this.predicates.get(key);
    if (p && this.checked.has(pdb)) return p.matches;
    this.checked.add(pdb);
    const selector = JSON.stringify(pdb.spec.selector ?? null);
    if (!p || p.selector !== selector) {
      p = { selector, matches: selectorPredicate(pdb.spec.selector) };
      this.predicates.set(key, p);
      this.members.delete(key);
    }
    return p.matches;
  }

  /** The PDB's pods: from the membership cache, rebuilt by one namespace scan when missing or when the selector changed. */
  private podsOf(key: string, pdb: PodDisruptionBudget): Pod[] {
    const { store } = this.cluster;
    const ns = pdb.metadata.namespace as string;
    const matches = this.predicate(key, pdb);
    let set = this.members.get(key);
    if (!set) {
      set = new Set((store.list(R.pods, ns) as Pod[]).filter((p) => matches(p.metadata.labels)).map((p) => p.metadata.name as string));
      this.members.set(key, set);
    }
    const pods: Pod[] = [];
    for (const name of set) {
      const p = store.get(R.pods, ns, name) as Pod | undefined;
      if (p) pods.push(p);
    }
    return pods;
  }

  private markNamespace(ns: string): void {
    for (const pdb of this.cluster.store.list(R.pdbs, ns)) this.queue.mark(keyOf(ns, pdb.metadata.name));
  }

  private sync(key: string): void {
    const { store, clock } = this.cluster;
    const [ns, name] = key.split('/') as [string, string];
    const pdb = store.get(R.pdbs, ns, name) as PodDisruptionBudget | undefined;
    if (!pdb) return;
    const pods = this.podsOf(key, pdb);
    const now = clock.now();
    const disrupted: Record<string, string> = {};
    for (const p of pods) {
      const at = pdb.status?.disruptedPods?.[p.metadata.name as string];
      if (at && !p.metadata.deletionTimestamp && Date.parse(at) + DELETION_TIMEOUT_MS > now) disrupted[p.metadata.name as string] = at;
    }
    const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disrupted[p.metadata.name as string] && isPodReady(p)).length;
    let numbers: { expectedPods: number; desiredHealthy: number };
    let failure: string | undefined;
    try {
      numbers = budgetNumbers(pdb.spec, pods.length, () => this.expectedScale(pods));
    } catch (err) {
      numbers = { expectedPods: pods.length, desiredHealthy: 0 };
      failure = (err as Error).message;
    }
    const allowed = failure ? 0 : Math.max(0, healthy - numbers.desiredHealthy);
    const oldCond = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const condStatus = allowed > 0 ? 'True' : 'False';
    const reason = failure ? 'SyncFailed' : allowed > 0 ? 'SufficientPods' : 'InsufficientPods';
    const status: NonNullable<PodDisruptionBudget['status']> = {
      observedGeneration: pdb.metadata.generation,
      ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: numbers.desiredHealthy,
      expectedPods: numbers.expectedPods,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: condStatus,
          reason,
          ...(failure ? { message: failure } : {}),
          lastTransitionTime: oldCond?.status === condStatus && oldCond.reason === reason ? oldCond.lastTransitionTime : isoTime(now),
        },
      ],
    };
    if (JSON.stringify(pdb.status) === JSON.stringify(status)) return;
    store.mutate<PodDisruptionBudget>(R.pdbs, ns, name, (d) => {
      d.status = status;
    });
  }

  /** Sum of declared replicas over the pods' distinct scalable controllers (a Deployment over its ReplicaSets). */
  private expectedScale(pods: Pod[]): number {
    const { store } = this.cluster;
    const seen = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerOf(p);
      if (ref?.kind !== 'ReplicaSet') throw new Error(`found no controllers for pod "${p.metadata.name}"`);
      const rs = store.get(R.replicaSets, p.metadata.namespace, ref.name) as ReplicaSet | undefined;
      if (!rs) throw new Error(`found no controllers for pod "${p.metadata.name}"`);
      const dref = controllerOf(rs);
      const d =
        dref?.kind === 'Deployment' ? (store.get(R.deployments, p.metadata.namespace, dref.name) as Deployment | undefined) : undefined;
      if (d) seen.set(d.metadata.uid as string, d.spec.replicas ?? 1);
      else seen.set(rs.metadata.uid as string, rs.spec.replicas ?? 1);
    }
    let sum = 0;
    for (const n of seen.values()) sum += n;
    return sum;
  }

  close(): void {
    this.queue.close();
    for (const u of this.unsubscribe) u();
  }
}

function keyOf(ns: string | undefined, name: string | undefined): string {
  return `${ns}/${name}`;
}
