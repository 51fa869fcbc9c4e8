import type { SavingsSeries } from '../api/fleet-api.ts';

/** uPlot's aligned columns: x (unix seconds) then one column per series; null = no value there. */
export type Columns = [number[], ...Array<Array<number | null>>];

const DAY_S = 86_400;

/**
 * The savings chart's columns. Total: on-demand and actual cost of the first series. Per
 * cluster: each cluster's actual cost on the union of all clusters' hours (a cluster without
 * a bucket there gets a gap, not another cluster's value). Less than a day of data is shown
 * as a day, with an empty point a day before the last, so one hourly bucket reads as "today".
 */
export function savingsColumns(series: readonly SavingsSeries[], mode: 'total' | 'cluster'): Columns {
  const picked =
    mode === 'total'
      ? [
          new Map((series[0]?.points ?? []).map((p) => [p[0], p[1]] as const)),
          new Map((series[0]?.points ?? []).map((p) => [p[0], p[2]] as const)),
        ]
      : series.map((s) => new Map(s.points.map((p) => [p[0], p[2]] as const)));
  const xs = [...new Set(picked.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const last = xs.at(-1);
  if (last !== undefined && last - (xs[0] as number) < DAY_S) xs.unshift(last - DAY_S);
  return [xs, ...picked.map((m) => xs.map((x) => m.get(x) ?? null))];
}
