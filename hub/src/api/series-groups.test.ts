import { describe, expect, it } from 'vitest';
import type { SeriesRecord } from '../store/metrics-store.ts';
import { groupSeries, seriesLabels } from './series-groups.ts';

const s = (id: bigint, cluster: string, node: string, labels: Record<string, string> = {}): SeriesRecord => ({
  id,
  tenant: 't',
  cluster,
  node,
  metric: 'm',
  labels,
  kind: 'gauge',
  unit: '',
});

describe('groupSeries', () => {
  const all = [
    s(1n, 'b', 'n1', { mode: 'user' }),
    s(2n, 'a', 'n2', { mode: 'user' }),
    s(3n, 'b', 'n3', { mode: 'idle' }),
    s(4n, 'a', 'n4'),
  ];

  it('groups by the node and cluster columns as well as map labels, ordered by value', () => {
    expect(groupSeries(all, ['cluster'])).toEqual([
      { labels: { cluster: 'a' }, seriesIds: [2n, 4n] },
      { labels: { cluster: 'b' }, seriesIds: [1n, 3n] },
    ]);
    expect(groupSeries(all, ['mode', 'cluster']).map((g) => g.labels)).toEqual([
      { cluster: 'a' }, // no mode: grouped as empty, the label left out
      { mode: 'idle', cluster: 'b' },
      { mode: 'user', cluster: 'a' },
      { mode: 'user', cluster: 'b' },
    ]);
  });

  it('values that would collide when joined naively stay apart', () => {
    const tricky = [s(1n, 'a,b', 'c'), s(2n, 'a', 'b,c')];
    expect(groupSeries(tricky, ['cluster', 'node'])).toHaveLength(2);
  });

  it('seriesLabels adds node and cluster to the map labels', () => {
    expect(seriesLabels(all[0] as SeriesRecord)).toEqual({ mode: 'user', node: 'n1', cluster: 'b' });
  });
});
