import type { IntOrPercent } from '../types.ts';

/**
 * Kubernetes' `intstr.GetScaledValueFromIntOrPercent`: an int is itself, `"N%"` is N% of
 * `total`, rounded up when `roundUp` (the disruption controller always rounds up, for both
 * minAvailable and maxUnavailable).
 */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: ${v}`);
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export const isPercent = (v: IntOrPercent | undefined): boolean => typeof v === 'string' && v.endsWith('%');

export interface BudgetNumbers {
  expectedPods: number;
  desiredHealthy: number;
}

/**
 * Expected and desired-healthy counts as the disruption controller derives them:
 * maxUnavailable (int or %) and a percentage minAvailable are relative to the owners'
 * declared scale; an integer minAvailable is relative to the pods that exist.
 * `scale` is called only when needed and throws when a pod has no scalable owner.
 */
export function budgetNumbers(
  spec: { minAvailable?: IntOrPercent; maxUnavailable?: IntOrPercent },
  podCount: number,
  scale: () => number,
): BudgetNumbers {
  if (spec.maxUnavailable !== undefined) {
    const expectedPods = scale();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedPods, true);
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - maxUnavailable) };
  }
  if (spec.minAvailable !== undefined) {
    if (!isPercent(spec.minAvailable)) return { expectedPods: podCount, desiredHealthy: scaledValue(spec.minAvailable, podCount, true) };
    const expectedPods = scale();
    return { expectedPods, desiredHealthy: scaledValue(spec.minAvailable, expectedPods, true) };
  }
  return { expectedPods: podCount, desiredHealthy: 0 };
}
