import type { Clock, Logger } from '@ballast/common';
import { ClientNodeClusterApi, type ClusterApi } from '@ballast/kube';
import type { AgentConfig } from '../config/agent-config.ts';
import { DrainExecutor } from '../executors/drain-executor.ts';
import type { ImdsClient } from '../imds/imds-client.ts';
import { MonitorSet } from '../monitors/monitor-set.ts';
import type { Transport } from '../transport/transport.ts';
import { CommandRunner } from './command-runner.ts';
import { EventOutbox } from './event-outbox.ts';
import { InterruptionHandler, progressToEvent } from './interruption-handler.ts';
import { parseTaint } from './interruption-policy.ts';

export interface BuiltActions {
  outbox: EventOutbox;
  cluster: ClusterApi | null;
  executor: DrainExecutor | null;
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
  const cluster: ClusterApi | null =
    config.kubeconfig !== ''
      ? new ClientNodeClusterApi({ kubeConfig: { file: config.kubeconfig }, clock })
      : inCluster
        ? new ClientNodeClusterApi({ kubeConfig: { inCluster: true }, clock })
        : null;
  const executor = cluster
    ? new DrainExecutor({ cluster, clock, log: log.child({ part: 'drain' }), onProgress: (e) => progressToEvent(outbox, e) })
    : null;
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
