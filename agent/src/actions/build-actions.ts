import { readFileSync } from 'node:fs';
import type { Clock, Logger } from '@ballast/common';
import type { ClusterApi, KubeConfigSource } from '@ballast/kube';
import type { AgentConfig } from '../config/agent-config.ts';
import type { Drainer } from '../executors/drain-types.ts';
import type { ImdsClient } from '../imds/imds-client.ts';
import { MonitorSet } from '../monitors/monitor-set.ts';
import type { Transport } from '../transport/transport.ts';
import { CommandRunner } from './command-runner.ts';
import { EventOutbox } from './event-outbox.ts';
import { InterruptionHandler, progressToEvent } from './interruption-handler.ts';
import { parseTaint } from './interruption-policy.ts';
import type { KubeAccess } from './kube-access.ts';
import { LazyClusterApi, lazyLoader } from './lazy-cluster-api.ts';

export interface BuiltActions {
  outbox: EventOutbox;
  cluster: ClusterApi | null;
  executor: Drainer | null;
  handler: InterruptionHandler;
  commands: CommandRunner;
  monitors: MonitorSet | null;
}

/**
 * The agent's acting side: IMDS monitors → interruption handler → drain executor on the
 * Kubernetes API, with every step reported to the hub. Without IMDS there is nothing to
 * monitor; without Kubernetes access the agent still reports notices but cannot drain.
 */
export function buildActions(
  config: AgentConfig,
  imds: ImdsClient | null,
  lifecycle: 'spot' | 'on-demand' | 'unspecified',
  transport: Transport,
  clock: Clock,
  log: Logger,
): BuiltActions {
  const outbox = new EventOutbox(transport, clock, log.child({ part: 'events' }));
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST);
  const source: KubeConfigSource | null = config.kubeconfig !== '' ? { file: config.kubeconfig } : inCluster ? { inCluster: true } : null;
  // A kubeconfig that is not there stops the agent at start, as it did when the client was built here.
  if (source && 'file' in source) readFileSync(source.file);
  // The Kubernetes client and the drain executor are loaded together at the first cordon or
  // drain (kube-access.ts); until then these stand-ins cost nothing.
  const kube = source
    ? lazyLoader<KubeAccess>(async () =>
        (await import('./kube-access.ts')).connectKube(source, {
          clock,
          log: log.child({ part: 'drain' }),
          onProgress: (e) => progressToEvent(outbox, e),
        }),
      )
    : null;
  const cluster: ClusterApi | null = kube ? new LazyClusterApi(async () => (await kube()).cluster) : null;
  const executor: Drainer | null = kube ? { drain: async (node, request) => (await kube()).executor.drain(node, request) } : null;
  const handler = new InterruptionHandler({
    node: config.node,
    outbox,
    cluster,
    executor,
    clock,
    log: log.child({ part: 'interruptions' }),
    policy: {
      spotInterruption: config.spotNoticeAction as 'cordon-and-drain',
      rebalanceRecommendation: config.rebalanceAction as 'cordon',
      scheduledEvent: config.scheduledEventAction as 'none',
      taint: parseTaint(config.interruptionTaint),
      deleteEmptyDirData: config.drainDeleteEmptyDirData,
      forceAtDeadline: config.drainForceAtDeadline,
      preDrainHookMs: config.drainPreHookMs,
    },
  });
  const commands = new CommandRunner({
    node: config.node,
    cluster,
    executor,
    taint: parseTaint(config.interruptionTaint),
    clock,
    log: log.child({ part: 'commands' }),
    reply: (result) => transport.sendCommandResult(result),
  });
  const monitors = imds
    ? new MonitorSet({ config, imds, onNotice: handler.onNotice, log: log.child({ part: 'monitors' }), clock, lifecycle })
    : null;
  return { outbox, cluster, executor, handler, commands, monitors };
}
