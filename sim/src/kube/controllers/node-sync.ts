import { CLUSTER_TAG, type Fleet, type SimInstance } from '../../core/fleet.ts';
import type { KubeCluster } from '../kube-cluster.ts';
import { controllerOf, isoTime } from '../pod-util.ts';
import { R } from '../resources.ts';
import type { Condition, Node, Pod } from '../types.ts';

export interface NodeShape {
  cpu: number;
  memoryMiB: number;
  pods: number;
}

const SIZE_VCPU: Record<string, number> = { nano: 2, micro: 2, small: 2, medium: 2, large: 2, xlarge: 4, metal: 96 };
const MIB_PER_VCPU: Record<string, number> = { c: 2048, m: 4096, r: 8192, t: 2048, x: 16384, z: 8192 };

/**
 * A rough shape from the type name alone (`m5.2xlarge` → 8 vCPU, 32 GiB) for when no
 * catalog is injected; max pods follows the EKS ENI limits' order of magnitude.
 */
export function defaultShape(instanceType: string): NodeShape {
  const [family = 'm5', size = 'large'] = instanceType.split('.');
  const mult = /^(\d+)xlarge$/.exec(size);
  const cpu = mult ? 4 * Number(mult[1]) : (SIZE_VCPU[size] ?? 2);
  const memoryMiB = cpu * (MIB_PER_VCPU[family[0] ?? 'm'] ?? 4096);
  const pods = cpu <= 2 ? 29 : cpu <= 8 ? 58 : 110;
  return { cpu, memoryMiB, pods };
}

interface NodeSyncOptions {
  resolveShape: (instanceType: string) => NodeShape;
  nodeDeleteDelayMs: number;
}

/**
 * Keeps Node objects in step with the cluster's EC2 instances. `running` registers the
 * node (Ready); `terminated` makes it unreachable (Ready=Unknown, unreachable taints),
 * records every pod still running there as lost, and after `nodeDeleteDelayMs` deletes the
 * node, whose pods the garbage collector then removes so their owners recreate them.
 */
export class NodeSync {
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly cluster: KubeCluster,
    fleet: Fleet,
    private readonly options: NodeSyncOptions,
  ) {
    const onRunning = (i: SimInstance) => this.mine(i) && this.register(i);
    const onTerminated = (i: SimInstance) => this.mine(i) && this.lose(i);
    fleet.on('running', onRunning);
    fleet.on('terminated', onTerminated);
    this.off.push(
      () => fleet.off('running', onRunning),
      () => fleet.off('terminated', onTerminated),
    );
    for (const i of fleet.list()) if (i.state === 'running' && this.mine(i)) this.register(i);
  }

  private mine(i: SimInstance): boolean {
    return i.tags[CLUSTER_TAG] === this.cluster.clusterName;
  }

  private register(i: SimInstance): void {
    const { store, clock } = this.cluster;
    if (store.get(R.nodes, undefined, i.privateDnsName)) return;
    const shape = this.options.resolveShape(i.instanceType);
    const now = isoTime(clock.now());
    const reservedCpu = Math.min(500, 60 + 10 * shape.cpu);
    const reservedMiB = 255 + 11 * shape.pods + 100;
    const arch = /^[a-z]+\d+g/.test(i.instanceType) ? 'arm64' : 'amd64';
    const conditions: Condition[] = [
      ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type,
        status: 'False' as const,
        reason: `KubeletHasNo${type}`,
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      })),
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ];
    const node: Node = {
      metadata: {
        name: i.privateDnsName,
        labels: {
          'kubernetes.io/hostname': i.privateDnsName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': arch,
          'node.kubernetes.io/instance-type': i.instanceType,
          'topology.kubernetes.io/zone': i.availabilityZone,
          'topology.kubernetes.io/region': i.availabilityZone.replace(/[a-z]$/, ''),
          'karpenter.sh/capacity-type': i.capacityType,
          'eks.amazonaws.com/capacityType': i.capacityType === 'spot' ? 'SPOT' : 'ON_DEMAND',
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: { providerID: `aws:///${i.availabilityZone}/${i.id}` },
      status: {
        capacity: {
          cpu: String(shape.cpu),
          memory: `${shape.memoryMiB * 1024}Ki`,
          pods: String(shape.pods),
          'ephemeral-storage': '20959212Ki',
        },
        allocatable: {
          cpu: `${shape.cpu * 1000 - reservedCpu}m`,
          memory: `${Math.max(0, shape.memoryMiB - reservedMiB) * 1024}Ki`,
          pods: String(shape.pods),
          'ephemeral-storage': '18242267924',
        },
        conditions,
        addresses: [
          { type: 'InternalIP', address: i.privateIp },
          { type: 'InternalDNS', address: i.privateDnsName },
          { type: 'Hostname', address: i.privateDnsName },
        ],
        nodeInfo: {
          architecture: arch,
          operatingSystem: 'linux',
          osImage: 'Amazon Linux 2023',
          kernelVersion: '6.1.0',
          kubeletVersion: 'v1.32.0-eks',
          kubeProxyVersion: 'v1.32.0-eks',
          containerRuntimeVersion: 'containerd://1.7.0',
          machineID: i.id,
          systemUUID: i.id,
          bootID: i.id,
        },
      },
    };
    store.create(R.nodes, node);
  }

  private lose(i: SimInstance): void {
    const { store, clock, stats } = this.cluster;
    const name = i.privateDnsName;
    if (!store.get(R.nodes, undefined, name)) return;
    const now = clock.now();
    store.mutate<Node>(R.nodes, undefined, name, (n) => {
      n.status.conditions = n.status.conditions.map((c) =>
        c.type === 'Ready' || c.status === 'False'
          ? {
              ...c,
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
              lastTransitionTime: isoTime(now),
            }
          : c,
      );
      n.spec.taints = [
        ...(n.spec.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/unreachable'),
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      ];
    });
    // DaemonSet pods die with every node by design, and a terminating pod has already
    // been handed over (its replacement exists): neither is a loss Ballast could prevent.
    for (const p of store.byIndex(R.pods, 'node', name) as Pod[]) {
      const owner = controllerOf(p);
      if (owner?.kind === 'DaemonSet' || p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
        continue;
      stats.recordLoss({
        namespace: p.metadata.namespace as string,
        name: p.metadata.name as string,
        owner: owner ? { kind: owner.kind, name: owner.name } : null,
        node: name,
        instanceId: i.id,
        atMs: now,
      });
    }
    this.cluster.setTimer(() => store.remove(R.nodes, undefined, name), this.options.nodeDeleteDelayMs);
  }

  close(): void {
    for (const o of this.off) o();
  }
}
