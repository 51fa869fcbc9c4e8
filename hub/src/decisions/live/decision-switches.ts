import type { RemovalOrder, SwitchOrder } from '../../switches/switch-submitter.ts';
import type { Decision } from '../decision-types.ts';
import type { ExecuteOutcome } from './decision-loop.ts';

export interface DecisionSwitchPorts {
  clientId: string;
  clusterId: string;
  /** Queues one switch job (SwitchSubmitter.submit). */
  submit(order: SwitchOrder): Promise<unknown>;
  /** Queues one empty node's removal (SwitchSubmitter.remove); absent: removals are refused. */
  remove?(order: RemovalOrder): Promise<unknown>;
  /** The instance behind a node name, as the loop last read it. */
  instanceIdOf(node: string): string | null;
  /** The interruption notice's deadline for the node, when its agent reported one. */
  noticeDeadlineOf(node: string): number | null;
}

/** Who the audit log names for what the engine ordered. */
export const ENGINE_ACTOR = 'decision-engine';

/**
 * Carries out an approved decision as jobs: a move as one switch job per node, each launching
 * one replacement in the decision's pool; an empty node's consolidation as a remove-node job
 * (cordon, check it is still empty, terminate). Decisions that are neither (packing occupied
 * nodes onto fewer or none) are refused with the reason, and so stay recorded as failed
 * rather than half-done.
 */
export function executeAsSwitches(p: DecisionSwitchPorts): (d: Decision, storedId: string) => Promise<ExecuteOutcome> {
  return async (d, storedId) => {
    // A forced node is moved by its override's own force-on-demand job; a second job would launch twice.
    if (d.reason === 'override') return { ok: false, reason: 'forced on-demand: the override job moves this node' };
    const removal = !d.launch && d.kind === 'consolidate' && d.reason === 'empty-node' && p.remove !== undefined;
    if (!d.launch && !removal) {
      return {
        ok: false,
        reason: `${d.kind} (${d.reason}) launches nothing: only one-for-one moves and empty-node removals are carried out`,
      };
    }
    if (d.launch && d.launch.count !== d.nodeIds.length) {
      return {
        ok: false,
        reason: `${d.kind} moves ${d.nodeIds.length} node(s) onto ${d.launch.count}: switch jobs only carry out one-for-one moves`,
      };
    }
    // Every node's instance first: a node without one refuses the whole decision before any job starts.
    const orders: Array<{ node: string; order: RemovalOrder }> = [];
    for (const node of d.nodeIds) {
      const instanceId = p.instanceIdOf(node);
      if (!instanceId) return { ok: false, reason: `node ${node} has no instance id (no providerID)` };
      orders.push({
        node,
        order: {
          clientId: p.clientId,
          clusterId: p.clusterId,
          instanceId,
          reason: `${d.kind} (${d.reason})`,
          savingsPerHour: d.expectedSavings.perHourUsd / d.nodeIds.length,
          decisionId: storedId,
          actor: ENGINE_ACTOR,
        },
      });
    }
    // All or nothing is not possible across jobs; submitting validates each order first.
    for (const { node, order } of orders) {
      if (!d.launch) await p.remove?.(order);
      else {
        const to = { instanceType: d.launch.instanceType, zone: d.launch.zone, capacityType: d.launch.capacityType };
        await p.submit({ ...order, to, noticeDeadlineMs: p.noticeDeadlineOf(node) });
      }
    }
    return { ok: true };
  };
}
