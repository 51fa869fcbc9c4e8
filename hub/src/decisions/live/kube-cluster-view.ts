import type { ClusterApi, ClusterNode, ClusterPdb, ClusterPod, PodRequests } from '@ballast/kube';
import type { PdbSpec } from '../engine-input.ts';
import type { ClusterSnapshot, ClusterView, ViewNode, ViewPdb, ViewPod } from './cluster-view.ts';

export interface KubeClusterViewOptions {
  /**
   * A pod's effective requests. Default: `pod.requests` as the ClusterApi maps them (the
   * scheduler's view), else `assumedRequests` for a pod that states none.
   */
  requestsOf?: (pod: ClusterPod) => PodRequests | null;
  /** For pods without requests or limits; default 500m / 1 GiB (a common web pod). */
  assumedRequests?: PodRequests;
  /** Pods of these namespaces are left out (DaemonSets' pods move with their node; kube-system's too). Default: kube-system. */
  ignoreNamespaces?: readonly string[];
}

const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';

/**
 * The ClusterView over the kube package's ClusterApi: nodes with their instance identity
 * from the well-known labels and the provider id, the pods bound to each (one list per
 * node), the unbound ones (`spec.nodeName=` selects pods no node holds), and the budgets.
 * DaemonSet pods are left out: they go with their node and need no room elsewhere.
 */
export class KubeClusterView implements ClusterView {
  private readonly requestsOf: (pod: ClusterPod) => PodRequests;
  private readonly ignore: Set<string>;

  constructor(
    private readonly api: ClusterApi,
    options: KubeClusterViewOptions = {},
  ) {
    const assumed = options.assumedRequests ?? { cpuMillis: 500, memoryMib: 1024 };
    const read = options.requestsOf ?? ((p: ClusterPod) => p.requests ?? null);
    this.requestsOf = (p) => read(p) ?? assumed;
    this.ignore = new Set(options.ignoreNamespaces ?? ['kube-system']);
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const [nodes, pending, pdbs] = await Promise.all([this.api.listNodes(), this.api.listPodsOnNode(''), this.api.listPdbs()]);
    const podLists = await Promise.all(nodes.map((n) => this.api.listPodsOnNode(n.name)));
    return {
      nodes: nodes.map((n, i) => this.node(n, podLists[i] ?? [])),
      pending: this.pods(pending.filter((p) => !p.nodeName && p.phase === 'Pending')),
      pdbs: pdbs.map(toPdb),
    };
  }

  private node(n: ClusterNode, pods: ClusterPod[]): ViewNode {
    const capacity = n.labels['karpenter.sh/capacity-type'] ?? eksCapacity(n.labels['eks.amazonaws.com/capacityType']);
    return {
      name: n.name,
      instanceId: n.providerId?.match(/\/(i-[0-9a-z]+)$/)?.[1] ?? null,
      instanceType: n.labels['node.kubernetes.io/instance-type'] ?? null,
      zone: n.labels['topology.kubernetes.io/zone'] ?? null,
      capacityType: capacity === 'spot' || capacity === 'on-demand' ? capacity : null,
      ready: n.ready,
      cordoned: n.unschedulable,
      createdAtMs: n.createdAtMs ?? null,
      pods: this.pods(pods.filter((p) => p.phase === 'Running' || p.phase === 'Pending')),
    };
  }

  private pods(pods: ClusterPod[]): ViewPod[] {
    return pods
      .filter((p) => !this.ignore.has(p.namespace) && p.controller?.kind !== 'DaemonSet')
      .map((p) => {
        const r = this.requestsOf(p);
        return {
          namespace: p.namespace,
          name: p.name,
          workload: p.controller ? `${p.namespace}/${p.controller.kind}/${p.controller.name}` : `${p.namespace}/Pod/${p.name}`,
          controllerKind: p.controller?.kind ?? null,
          labels: p.labels,
          cpuMillis: r.cpuMillis,
          memoryMib: r.memoryMib,
          ready: p.ready,
          terminating: p.deletionTimestamp !== undefined,
          doNotDisrupt: p.annotations[DO_NOT_DISRUPT] === 'true' || p.annotations[SAFE_TO_EVICT] === 'false',
        };
      });
  }
}

function eksCapacity(v: string | undefined): string | undefined {
  return v === 'SPOT' ? 'spot' : v === 'ON_DEMAND' ? 'on-demand' : undefined;
}

function toPdb(p: ClusterPdb): ViewPdb {
  const spec: PdbSpec = {};
  if (p.maxUnavailable !== undefined) spec.maxUnavailable = p.maxUnavailable as PdbSpec['maxUnavailable'];
  if (p.minAvailable !== undefined) spec.minAvailable = p.minAvailable as PdbSpec['minAvailable'];
  return {
    namespace: p.namespace,
    name: p.name,
    matchLabels: p.selector?.matchLabels ?? {},
    spec,
    desiredHealthy: p.status?.desiredHealthy ?? null,
    currentHealthy: p.status?.currentHealthy ?? null,
    expectedPods: p.status?.expectedPods ?? null,
  };
}
