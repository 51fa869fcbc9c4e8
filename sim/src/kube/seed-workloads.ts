import type { KubeCluster } from './kube-cluster.ts';
import { R } from './resources.ts';
import type { IntOrPercent, KubeObject, PodSpec, Toleration } from './types.ts';

export interface DeploymentSeed {
  name: string;
  replicas: number;
  cpu?: string;
  memory?: string;
  /** A PDB selecting exactly this deployment's pods. */
  pdb?: { maxUnavailable?: IntOrPercent; minAvailable?: IntOrPercent };
  /** Give the pods an emptyDir volume (drain then needs --delete-emptydir-data). */
  emptyDir?: boolean;
  terminationGracePeriodSeconds?: number;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
}

export interface WorkloadSeed {
  namespace?: string;
  deployments?: DeploymentSeed[];
  /** A DaemonSet with a pod on every node. */
  daemonSet?: { name: string; cpu?: string; memory?: string };
  /** Pods with no owner (drain refuses them without --force). */
  barePods?: Array<{ name: string; cpu?: string; memory?: string; emptyDir?: boolean }>;
}

/**
 * Creates workloads for tests and the demo straight in the store (the controllers then
 * create, schedule and start the pods on their next turns; await `settle`). Namespaces
 * are created as needed. Accepts the server or its cluster.
 */
export function seedWorkloads(target: KubeCluster | { cluster: KubeCluster }, seed: WorkloadSeed): void {
  const cluster = 'store' in target ? target : target.cluster;
  const { store } = cluster;
  const ns = seed.namespace ?? 'default';
  if (!store.get(R.namespaces, undefined, ns)) {
    store.create(R.namespaces, {
      metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  for (const d of seed.deployments ?? []) {
    const labels = { app: d.name };
    const spec = podSpec(d.name, d.cpu, d.memory, d.emptyDir);
    if (d.terminationGracePeriodSeconds !== undefined) spec.terminationGracePeriodSeconds = d.terminationGracePeriodSeconds;
    if (d.nodeSelector) spec.nodeSelector = d.nodeSelector;
    if (d.tolerations) spec.tolerations = d.tolerations;
    store.create(R.deployments, {
      metadata: { name: d.name, namespace: ns, labels },
      spec: { replicas: d.replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
    });
    if (d.pdb)
      store.create(R.pdbs, { metadata: { name: `${d.name}-pdb`, namespace: ns }, spec: { selector: { matchLabels: labels }, ...d.pdb } });
  }
  if (seed.daemonSet) {
    const { name, cpu, memory } = seed.daemonSet;
    const labels = { app: name };
    store.create(R.daemonSets, {
      metadata: { name, namespace: ns, labels },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec(name, cpu ?? '50m', memory ?? '64Mi', false) },
      },
    });
  }
  for (const p of seed.barePods ?? []) {
    store.create(R.pods, {
      metadata: { name: p.name, namespace: ns, labels: { app: p.name } },
      spec: podSpec(p.name, p.cpu, p.memory, p.emptyDir),
      status: { phase: 'Pending' },
    } as KubeObject);
  }
}

function podSpec(name: string, cpu = '100m', memory = '128Mi', emptyDir = false): PodSpec {
  const spec: PodSpec = {
    containers: [{ name: 'app', image: `registry.example/${name}:1`, resources: { requests: { cpu, memory } } }],
    terminationGracePeriodSeconds: 30,
  };
  if (emptyDir) {
    spec.volumes = [{ name: 'scratch', emptyDir: {} }];
    spec.containers[0] = {
      ...(spec.containers[0] as PodSpec['containers'][0]),
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    };
  }
  return spec;
}

/**
 * Resolves once the controllers have gone quiet: no write for a few event-loop turns.
 * Clock timers (graceful deletions, node deletion) are not waited for.
 */
export async function settle(target: KubeCluster | { cluster: KubeCluster }, maxTurns = 10_000): Promise<void> {
  const cluster = 'store' in target ? target : target.cluster;
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < maxTurns && quiet < 3; i++) {
    await new Promise<void>((r) => setImmediate(r));
    const rv = cluster.store.resourceVersion;
    quiet = rv === last ? quiet + 1 : 0;
    last = rv;
  }
}
