/** The decision funnel's stages in order, with the words the console shows for them. */
export const FUNNEL_STAGES = [
  ['candidate', 'Candidates'],
  ['feasible', 'Feasible'],
  ['scored', 'Scored'],
  ['solved', 'Solved'],
  ['validated', 'Validated'],
  ['approved', 'Approved'],
  ['executed', 'Executed'],
  ['verified', 'Verified'],
] as const;

export interface FunnelBar {
  stage: string;
  label: string;
  reached: number;
  dropped: number;
  /** Width relative to the first stage, 0–100. */
  widthPercent: number;
  /** Share of the previous stage that got here; null for the first, or when the previous stage is empty. */
  conversion: number | null;
}

/**
 * Bars for the funnel: every stage present even when the hub left it out (a stage nobody
 * reached is a zero, not a gap), widths relative to candidates.
 */
export function funnelBars(stages: ReadonlyArray<{ stage: string; reached: number; dropped?: number }>): FunnelBar[] {
  const by = new Map(stages.map((s) => [s.stage, s]));
  const first = by.get('candidate')?.reached ?? 0;
  let prev: number | null = null;
  return FUNNEL_STAGES.map(([stage, label]) => {
    const s = by.get(stage);
    const reached = s?.reached ?? 0;
    const bar: FunnelBar = {
      stage,
      label,
      reached,
      dropped: s?.dropped ?? 0,
      widthPercent: first > 0 ? Math.round((1000 * reached) / first) / 10 : 0,
      // No stage before it, or nothing reached the one before: no ratio to show.
      conversion: prev === null || prev === 0 ? null : reached / prev,
    };
    prev = reached;
    return bar;
  });
}
