import type { Clock, Logger } from '@ballast/common';
import type { ClusterApi } from '@ballast/kube';
import type { ClusterEntry } from '../../clusters/kubeconfig-directory.ts';
import type { BestPlan, BestPlanSource } from '../../fleet/fleet-sources.ts';
import type { OverridePolicy } from '../../overrides/override-policy.ts';
import type { DecisionRepository } from '../../state/repositories/decision-repository.ts';
import type { RemovalOrder, SwitchOrder } from '../../switches/switch-submitter.ts';
import type { PolicyOverrides } from '../policies-file.ts';
import { DecisionLoop, type DecisionLoopDeps, type LoopStatus } from './decision-loop.ts';
import { executeAsSwitches } from './decision-switches.ts';
import { KubeClusterView } from './kube-cluster-view.ts';
import type { PlanSolver } from './live-planner.ts';
import type { NodeSignalBook } from './node-signal-book.ts';
import { overrideHook, type TagsOf } from './override-hook.ts';

export interface DecisionLoopsDeps {
  clusters: readonly ClusterEntry[];
  access: (clientId: string, clusterId: string) => ClusterApi | null;
  clock: Clock;
  log: Logger;
  board: DecisionLoopDeps['board'];
  catalog: DecisionLoopDeps['catalog'];
  decisions: DecisionRepository;
  signals: NodeSignalBook;
  /** Forced on-demand (overrides, kill switch); absent: nothing is forced. */
  overrides?: Pick<OverridePolicy, 'overrideFor'>;
  /**
   * An instance's tags, so a force follows a node onto its on-demand replacement (the
   * `ballast.io/forced-by` tag); absent: overrides match by instance, cluster and client only.
   */
  tagsOf?: TagsOf;
  /** Present: approved decisions become switch jobs. Absent: dry run. */
  submit?: (order: SwitchOrder) => Promise<unknown>;
  /** With submit: approved empty-node consolidations become remove-node jobs. Absent: they are refused. */
  remove?: (order: RemovalOrder) => Promise<unknown>;
  intervalMs: number;
  /** The policies every loop decides under, checked; absent: the defaults. */
  policies?: PolicyOverrides;
  /** The placement solver every loop plans with (one worker, runs queue); absent: no plans, no optimization rate. */
  solver?: PlanSolver;
}

export interface ClusterLoopStatus extends LoopStatus {
  clientId: string;
  clusterId: string;
}

/**
 * One DecisionLoop per cluster the hub has a kubeconfig for, started and stopped together.
 * An agent's interruption notice or rebalance recommendation runs its cluster's loop at once
 * rather than at the next interval: the notice leaves two minutes.
 */
export class DecisionLoops implements BestPlanSource {
  private readonly loops = new Map<string, { entry: ClusterEntry; loop: DecisionLoop }>();
  /** The policies that differ from the defaults (from --decision-policies-file); {}: all defaults. */
  readonly policies: PolicyOverrides;

  constructor(d: DecisionLoopsDeps) {
    this.policies = d.policies ?? {};
    for (const entry of d.clusters) {
      const api = d.access(entry.clientId, entry.clusterId);
      if (!api) continue;
      const { clientId, clusterId } = entry;
      const now = () => d.clock.now();
      const loop: DecisionLoop = new DecisionLoop(
        {
          clock: d.clock,
          log: d.log.child({ client: clientId, cluster: clusterId }),
          cluster: new KubeClusterView(api),
          board: d.board,
          catalog: d.catalog,
          decisions: d.decisions,
          clientId,
          clusterId,
          signals: (n) => d.signals.signals(clientId, clusterId, n.name, now()),
          ...(d.solver ? { solver: d.solver } : {}),
          ...(d.overrides ? { overridesFor: overrideHook(d.overrides, clientId, clusterId, d.tagsOf) } : {}),
          ...(d.submit
            ? {
                execute: executeAsSwitches({
                  clientId,
                  clusterId,
                  submit: d.submit,
                  ...(d.remove ? { remove: d.remove } : {}),
                  instanceIdOf: (node) => loop.instanceIdOf(node),
                  noticeDeadlineOf: (node) => d.signals.noticeDeadline(clientId, clusterId, node, now()),
                }),
              }
            : {}),
        },
        { intervalMs: d.intervalMs, policies: this.policies },
      );
      this.loops.set(key(clientId, clusterId), { entry, loop });
    }
  }

  get size(): number {
    return this.loops.size;
  }

  start(): void {
    for (const { loop } of this.loops.values()) loop.start();
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.loops.values()].map(({ loop }) => loop.shutdown()));
  }

  /** Runs the cluster's loop now (no-op for a cluster without one). Never rejects. */
  runNow(clientId: string, clusterId: string): Promise<void> {
    return this.loops.get(key(clientId, clusterId))?.loop.runOnce() ?? Promise.resolve();
  }

  /**
   * What the solver's best plans save per hour vs on-demand, summed over the tenant's clusters
   * (null tenant: every cluster): the optimization rate's denominator. Null until a plan exists.
   */
  /** When a node joined its cluster, from its loop's last read; null without a loop or when unknown. */
  nodeCreatedAtMs(clientId: string, clusterId: string, node: string): number | null {
    return this.loops.get(key(clientId, clusterId))?.loop.nodeCreatedAtMs(node) ?? null;
  }

  async bestPlan(tenant: string | null): Promise<BestPlan | null> {
    const plans = [...this.loops.values()]
      .filter(({ entry }) => tenant === null || entry.clientId === tenant)
      .flatMap(({ loop }) => (loop.lastPlan ? [loop.lastPlan] : []));
    if (plans.length === 0) return null;
    return {
      savingsPerHour: plans.reduce((s, p) => s + p.savingsPerHour, 0),
      computedAtMs: Math.min(...plans.map((p) => p.solvedAtMs)),
    };
  }

  status(): ClusterLoopStatus[] {
    return [...this.loops.values()].map(({ entry, loop }) => ({ clientId: entry.clientId, clusterId: entry.clusterId, ...loop.status }));
  }
}

const key = (client: string, cluster: string) => `${client}\u0000${cluster}`;
