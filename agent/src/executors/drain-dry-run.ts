import type { Clock, Logger } from '@ballast/common';
import { findBlockingBudget } from './budget-lookup.ts';
import type { ClusterApi } from './cluster-port.ts';
import { graceSecondsFor, type PlannedEviction } from './drain-plan.ts';
import type { DrainPolicy, Emit, PodReport } from './drain-types.ts';

export interface DryRunContext {
  cluster: ClusterApi;
  clock: Clock;
  log: Logger;
  policy: DrainPolicy;
  deadlineMs: number;
  emit: Emit;
  report(r: PodReport): void;
}

/**
 * One pod of a dry run: a server-side dry-run eviction consults the budgets as they stand
 * now and persists nothing. Each pod is judged alone, so several pods under one budget may
 * each be "allowed" although a real drain would take them in turns.
 */
export async function dryRunPod(ctx: DryRunContext, p: PlannedEviction): Promise<void> {
  const pod = p.ref;
  const graceSeconds = graceSecondsFor(p.pod, ctx.clock.now(), ctx.deadlineMs, ctx.policy);
  ctx.emit({ kind: 'pod-evicting', pod, graceSeconds });
  try {
    const res = await ctx.cluster.evictPod(pod.namespace, pod.name, { gracePeriodSeconds: graceSeconds, dryRun: true });
    if (res.outcome === 'evicted' || res.outcome === 'not-found') {
      ctx.emit({ kind: 'pod-evicted', pod, graceSeconds, attempts: 1 });
      ctx.report({ pod, outcome: 'evicted', graceSeconds });
      return;
    }
    const pdb = await findBlockingBudget(ctx.cluster, ctx.log, p.pod, res.pdbName);
    const timeLeftMs = ctx.deadlineMs - ctx.clock.now();
    ctx.emit({
      kind: 'pod-blocked',
      pod,
      message: res.message,
      timeLeftMs,
      willForce: ctx.policy.forceAtDeadline,
      ...(pdb ? { pdb } : {}),
    });
    ctx.report({ pod, outcome: 'blocked', message: res.message, ...(pdb ? { pdb } : {}) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.emit({ kind: 'pod-failed', pod, message });
    ctx.report({ pod, outcome: 'failed', message });
  }
}
