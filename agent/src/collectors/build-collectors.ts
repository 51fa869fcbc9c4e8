import type { Logger } from '@ballast/common';
import type { AgentStats } from '../agent.ts';
import type { AgentConfig } from '../config/agent-config.ts';
import type { CgroupDriver } from './cgroup/kubepods.ts';
import type { Collector } from './collector.ts';
import { ContainerCollector } from './container-collector.ts';
import { KubePodMetadata } from './kube-pod-metadata.ts';
import { NodeCollector } from './node-collector.ts';
import { NodePressureCollector } from './node-pressure-collector.ts';
import { SelfCollector } from './self-collector.ts';

export interface BuiltCollectors {
  collectors: Collector[];
  /** Pod names for container series; started before the agent and stopped after it. */
  podMetadata: KubePodMetadata | null;
}

/**
 * The collectors a node agent runs, from its configuration. The pod watch is used when
 * asked for, or (auto) when running in a cluster or given a kubeconfig.
 */
export function buildCollectors(
  config: AgentConfig,
  log: Logger,
  onError: (source: string, err: unknown) => void,
  stats: () => AgentStats,
): BuiltCollectors {
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST);
  const useKube = config.podMetadata === 'kube' || (config.podMetadata === 'auto' && (config.kubeconfig !== '' || inCluster));
  const podMetadata =
    config.containerMetrics && useKube
      ? new KubePodMetadata({ node: config.node, kubeconfigPath: config.kubeconfig || undefined, log: log.child({ part: 'pod-metadata' }) })
      : null;
  const collectors: Collector[] = [
    new NodeCollector({ procNetDevPath: config.procNetDev, onError }),
    new NodePressureCollector({ root: config.procPressureRoot, onError }),
    new SelfCollector({
      // The lag histogram wakes the event loop once per resolution: every 20 ms (the default)
      // cost ~4 ms of CPU per second on the benchmark machine, more than the collection itself.
      // Once a second sees every stall of a second or more, shorter ones by chance.
      loopResolutionMs: 1_000,
      pipeline: () => {
        const s = stats();
        return { bufferedPoints: s.bufferedPoints, droppedPoints: s.droppedPoints + s.shedPoints };
      },
    }),
  ];
  if (config.containerMetrics) {
    collectors.push(
      new ContainerCollector({
        root: config.cgroupRoot,
        driver: config.cgroupDriver === 'auto' ? undefined : (config.cgroupDriver as CgroupDriver),
        rescanEvery: config.cgroupRescanCycles,
        metadata: podMetadata ?? undefined,
        // Both off by default (container-config.ts says why).
        pressure: config.containerPressure,
        sandboxes: config.cgroupIncludeSandboxes ? 'include' : 'skip',
        onError,
      }),
    );
  }
  return { collectors, podMetadata };
}
