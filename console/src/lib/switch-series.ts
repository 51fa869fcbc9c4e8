import type uPlot from 'uplot';

/** A switch as the chart needs it: when, whether it took effect, and its expected saving per hour. */
export interface SwitchPoint {
  at: string;
  outcome: string | null;
  savingsPerHour: number | null;
}

/**
 * The instance's switch history as a step series: at each switch that took effect, the
 * expected saving per hour of all switches so far (a rollback or failure adds nothing; a
 * switch still running is left out). Oldest first, in unix seconds; empty without one.
 */
export function switchSavingsSeries(entries: readonly SwitchPoint[]): uPlot.AlignedData {
  const done = entries
    .filter((e) => e.outcome === 'switched' && Number.isFinite(Date.parse(e.at)))
    .map((e) => ({ t: Math.floor(Date.parse(e.at) / 1000), saving: e.savingsPerHour ?? 0 }))
    .sort((a, b) => a.t - b.t);
  const xs: number[] = [];
  const ys: number[] = [];
  let total = 0;
  for (const e of done) {
    total += e.saving;
    xs.push(e.t);
    ys.push(Math.round(total * 1e6) / 1e6);
  }
  return [xs, ys];
}
