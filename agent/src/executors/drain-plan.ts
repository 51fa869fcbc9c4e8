import type { ClusterPod } from './cluster-port.ts';
import type { DrainPolicy, DrainRequest, PodRef, SkipReason } from './drain-types.ts';
import { DEFAULT_DRAIN_POLICY } from './drain-types.ts';
import { classifyPod, podRef } from './pod-classifier.ts';

export interface PlannedEviction {
  pod: ClusterPod;
  ref: PodRef;
}

export interface DrainPlan {
  evict: PlannedEviction[];
  skip: Array<{ ref: PodRef; reason: SkipReason }>;
}

export function resolvePolicy(request: Pick<DrainRequest, 'policy'>): DrainPolicy {
  const policy: DrainPolicy = { ...DEFAULT_DRAIN_POLICY };
  for (const [k, v] of Object.entries(request.policy ?? {})) if (v !== undefined) Object.assign(policy, { [k]: v });
  policy.ignoreDaemonSets = true;
  if (policy.evictionRetryMinMs <= 0 || policy.evictionRetryMaxMs < policy.evictionRetryMinMs)
    throw new RangeError(
      `eviction retry bounds must satisfy 0 < min <= max, got ${policy.evictionRetryMinMs}..${policy.evictionRetryMaxMs}`,
    );
  if (policy.safetyMarginMs < 0 || policy.preDrainHookMs < 0) throw new RangeError('safetyMarginMs and preDrainHookMs must be >= 0');
  return policy;
}

export function planDrain(pods: readonly ClusterPod[], policy: DrainPolicy): DrainPlan {
  const plan: DrainPlan = { evict: [], skip: [] };
  for (const pod of pods) {
    const c = classifyPod(pod, policy);
    if (c.action === 'evict') plan.evict.push({ pod, ref: podRef(pod) });
    else plan.skip.push({ ref: podRef(pod), reason: c.reason });
  }
  return plan;
}

/**
 * The grace period to evict with at `nowMs`: the pod's own, cut so termination ends a safety
 * margin before the deadline, and by the policy's ceiling. Never below 1 s (unless the pod
 * itself asks for 0): 0 would be a kill without SIGTERM, and the node going away does that anyway.
 */
export function graceSecondsFor(pod: ClusterPod, nowMs: number, deadlineMs: number, policy: DrainPolicy): number {
  const fits = Math.floor((deadlineMs - policy.safetyMarginMs - nowMs) / 1000);
  const grace = Math.min(pod.terminationGracePeriodSeconds, fits, policy.maxGraceSeconds ?? Number.POSITIVE_INFINITY);
  return Math.max(Math.min(1, pod.terminationGracePeriodSeconds), grace);
}
