import type { SeriesRecord } from '../store/metrics-store.ts';

/** The labels a query answer shows for a series: its map labels plus the node and cluster columns. */
export function seriesLabels(s: SeriesRecord): Record<string, string> {
  return { ...s.labels, node: s.node, cluster: s.cluster };
}

export interface SeriesGroup {
  /** Only the `by` labels the group's series have (a missing label is left out, as in PromQL). */
  labels: Record<string, string>;
  seriesIds: bigint[];
}

/**
 * Splits series into groups with equal values of the `by` labels; a series without a label
 * counts as having it empty. Groups are ordered by their label values, so answers are stable.
 */
export function groupSeries(series: SeriesRecord[], by: string[]): SeriesGroup[] {
  const groups = new Map<string, SeriesGroup>();
  for (const s of series) {
    const all = seriesLabels(s);
    const values = by.map((l) => all[l] ?? '');
    // JSON of the value list is an unambiguous key whatever characters the values hold.
    const key = JSON.stringify(values);
    let g = groups.get(key);
    if (!g) {
      const labels: Record<string, string> = {};
      by.forEach((l, i) => {
        if (values[i] !== '') labels[l] = values[i] as string;
      });
      g = { labels, seriesIds: [] };
      groups.set(key, g);
    }
    g.seriesIds.push(s.id);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}
