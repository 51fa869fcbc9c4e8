import type { Clock } from '@ballast/common';
import type { Fleet } from '../core/fleet.ts';
import { Rng } from '../core/rng.ts';
import { notFound } from './api-error.ts';
import { DaemonSetController } from './controllers/daemonset-controller.ts';
import { DeploymentController } from './controllers/deployment-controller.ts';
import { GarbageCollector } from './controllers/garbage-collector.ts';
import { Kubelet } from './controllers/kubelet.ts';
import { defaultShape, type NodeShape, NodeSync } from './controllers/node-sync.ts';
import { PdbController } from './controllers/pdb-controller.ts';
import { ReplicaSetController } from './controllers/replicaset-controller.ts';
import { Scheduler } from './controllers/scheduler.ts';
import { KubeStats } from './kube-stats.ts';
import { ObjectStore } from './object-store.ts';
import { isoTime, isTerminal } from './pod-util.ts';
import { R } from './resources.ts';
import type { Pod } from './types.ts';

export interface KubeClusterOptions {
  clock: Clock;
  clusterName: string;
  /** Nodes follow this fleet's instances tagged with the cluster name. */
  fleet?: Fleet;
  /** Node capacity for an instance type; defaults to a size-suffix estimate. */
  resolveShape?: (instanceType: string) => NodeShape;
  /** Clock ms between an instance's termination and its Node object's deletion. */
  nodeDeleteDelayMs?: number;
  /** Clock ms from a pod's binding to Running/Ready; 0 starts it on the next tick. */
  podStartupMs?: number;
  /** Seeds generated names so runs repeat. */
  seed?: number;
  historyLimit?: number;
}

interface Controller {
  close(): void;
}

/**
 * One simulated cluster: the object store plus the control loops a real control plane and
 * kubelets would run (scheduler, workload controllers, disruption controller, garbage
 * collector, node lifecycle). The HTTP server is a thin layer over this.
 */
export class KubeCluster {
  readonly store: ObjectStore;
  readonly stats = new KubeStats();
  readonly clock: Clock;
  readonly clusterName: string;
  readonly podStartupMs: number;
  readonly scheduler: Scheduler;
  readonly pdbs: PdbController;
  private readonly names: Rng;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly controllers: Controller[] = [];
  private closed = false;

  constructor(options: KubeClusterOptions) {
    this.clock = options.clock;
    this.clusterName = options.clusterName;
    this.podStartupMs = options.podStartupMs ?? 0;
    this.names = new Rng(options.seed ?? 1).fork(`kube-names:${options.clusterName}`);
    this.store = new ObjectStore(options.clock, { historyLimit: options.historyLimit });
    const owners = (o: { metadata: { ownerReferences?: { uid: string }[] } }) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
    this.store.addIndex(R.pods, 'node', (p) => [((p as Pod).spec?.nodeName as string | undefined) ?? '']);
    this.store.addIndex(R.pods, 'owner', owners);
    this.store.addIndex(R.replicaSets, 'owner', owners);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.store.create(R.namespaces, {
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
    // The built-in priority classes every apiserver creates at start-up (values as Kubernetes defines them).
    for (const [name, value, description] of [
      ['system-node-critical', 2_000_001_000, 'Used for system critical pods that must not be moved from their current node.'],
      [
        'system-cluster-critical',
        2_000_000_000,
        'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
      ],
    ] as const) {
      this.store.create(R.priorityClasses, {
        metadata: { name },
        value,
        globalDefault: false,
        preemptionPolicy: 'PreemptLowerPriority',
        description,
      });
    }
    this.scheduler = new Scheduler(this);
    this.pdbs = new PdbController(this);
    this.controllers.push(this.scheduler, this.pdbs, new Kubelet(this), new ReplicaSetController(this), new DeploymentController(this));
    this.controllers.push(new DaemonSetController(this), new GarbageCollector(this));
    if (options.fleet) {
      this.controllers.push(
        new NodeSync(this, options.fleet, {
          resolveShape: options.resolveShape ?? defaultShape,
          nodeDeleteDelayMs: options.nodeDeleteDelayMs ?? 10_000,
        }),
      );
    }
  }

  /** A clock timer that `close()` cancels. */
  setTimer(fn: () => void, ms: number): void {
    if (this.closed) return;
    const h = this.clock.setTimeout(() => {
      this.timers.delete(h);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(h);
  }

  /** `prefix` plus five characters from Kubernetes' generateName alphabet. */
  generateName(prefix: string): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let s = prefix;
    for (let i = 0; i < 5; i++) s += alphabet[this.names.int(0, alphabet.length - 1)];
    return s;
  }

  /**
   * Deletes a pod as the apiserver and kubelet do together: at once when it is unbound,
   * finished or the grace is 0; otherwise it turns Terminating (deletionTimestamp set) and
   * goes away when the grace has passed on the clock. A second delete may only shorten it.
   */
  deletePod(namespace: string, name: string, graceSeconds?: number): Pod {
    const pod = this.store.get(R.pods, namespace, name) as Pod | undefined;
    if (!pod) throw notFound('pods', name);
    let grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!pod.spec.nodeName || isTerminal(pod)) grace = 0;
    if (pod.metadata.deletionTimestamp && grace >= (pod.metadata.deletionGracePeriodSeconds ?? 0)) return pod;
    if (grace <= 0) return this.store.remove(R.pods, namespace, name) as Pod;
    const uid = pod.metadata.uid;
    const updated = this.store.mutate<Pod>(R.pods, namespace, name, (p) => {
      p.metadata.deletionTimestamp = isoTime(this.clock.now() + grace * 1000);
      p.metadata.deletionGracePeriodSeconds = grace;
    }) as Pod;
    this.setTimer(() => {
      const current = this.store.get(R.pods, namespace, name);
      if (current && current.metadata.uid === uid && current.metadata.deletionTimestamp === updated.metadata.deletionTimestamp) {
        this.store.remove(R.pods, namespace, name);
      }
    }, grace * 1000);
    return updated;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.controllers) c.close();
    for (const h of this.timers) this.clock.clearTimeout(h);
    this.timers.clear();
  }
}
