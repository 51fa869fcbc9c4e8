import { type Decision, type DropReason, FUNNEL_STAGES, type FunnelStage } from './decision-types.ts';

/**
 * The funnel counts the API exposes: how many decisions reached each stage, and how many
 * were dropped before which stage, by reason. A decision dropped at validation counts as a
 * candidate, feasible, scored and solved, and under dropped.validated with its reason.
 */
export interface FunnelCounts {
  reached: Record<FunnelStage, number>;
  dropped: Partial<Record<FunnelStage, Partial<Record<DropReason, number>>>>;
  /** Execution failures by reason (a launch refused for capacity, a drain that never finished…). */
  failed: Record<string, number>;
  /** Decisions not finished yet (waiting for validation or approval, or executing). */
  inProgress: number;
}

export function emptyFunnel(): FunnelCounts {
  return {
    reached: Object.fromEntries(FUNNEL_STAGES.map((s) => [s, 0])) as Record<FunnelStage, number>,
    dropped: {},
    failed: {},
    inProgress: 0,
  };
}

export function funnelOf(decisions: Iterable<Decision>): FunnelCounts {
  const f = emptyFunnel();
  for (const d of decisions) {
    const reached = FUNNEL_STAGES.indexOf(d.stage);
    for (let i = 0; i <= reached; i++) f.reached[FUNNEL_STAGES[i] as FunnelStage]++;
    if (d.dropped) {
      const at = f.dropped[d.dropped.stage] ?? {};
      at[d.dropped.reason] = (at[d.dropped.reason] ?? 0) + 1;
      f.dropped[d.dropped.stage] = at;
    } else if (d.failure) f.failed[d.failure.reason] = (f.failed[d.failure.reason] ?? 0) + 1;
    else if (d.status !== 'verified') f.inProgress++;
  }
  return f;
}

/** Adds two funnels (e.g. per-kind funnels into a total). */
export function addFunnels(a: FunnelCounts, b: FunnelCounts): FunnelCounts {
  const out = emptyFunnel();
  for (const s of FUNNEL_STAGES) out.reached[s] = a.reached[s] + b.reached[s];
  for (const src of [a, b]) {
    for (const [stage, reasons] of Object.entries(src.dropped) as Array<[FunnelStage, Partial<Record<DropReason, number>>]>) {
      const at = out.dropped[stage] ?? {};
      for (const [r, n] of Object.entries(reasons) as Array<[DropReason, number]>) at[r] = (at[r] ?? 0) + n;
      out.dropped[stage] = at;
    }
    for (const [r, n] of Object.entries(src.failed)) out.failed[r] = (out.failed[r] ?? 0) + n;
    out.inProgress += src.inProgress;
  }
  return out;
}
