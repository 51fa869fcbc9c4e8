import { beforeAll, describe, expect, it } from 'vitest';
import type { LabelMatcher, SeriesRecord } from '../../../hub/src/store/metrics-store.ts';
import { ids, type MetricsContractContext, series, sorted, tenantFor } from './context.ts';

/** Registers the contract's tests of findSeries with each matcher operator on map labels and on node, combined, and limited. */
export function describeFindSeriesMatchers(ctx: MetricsContractContext): void {
  describe('findSeries matchers', () => {
    const tenant = tenantFor('matchers');
    const metric = 'node_cpu_mode_percent';
    const all: SeriesRecord[] = [];
    let n = 0n;
    for (const node of ['n1', 'n2']) {
      for (const mode of ['idle', 'user', 'system']) {
        n += 1n;
        all.push(series(tenant, 1_000n + n * 3_000_000_000_000_000_000n, { node, labels: { mode, cpu: 'all' } }));
      }
    }
    const other = series(tenant, 5n, { metric: 'node_load1' });
    const pick = (pred: (s: SeriesRecord) => boolean) => sorted(all.filter(pred).map((s) => s.id));
    const find = async (matchers: LabelMatcher[], limit = 100) => ids(await ctx.store.findSeries({ tenant, metric, matchers, limit }));

    beforeAll(async () => {
      await ctx.store.insertSeries([...all, other]);
    });

    it('no matcher: every series of the metric, ordered by id, none of other metrics', async () => {
      expect(await find([])).toEqual(sorted(all.map((s) => s.id)));
    });

    it('= and != on a map label', async () => {
      expect(await find([{ label: 'mode', op: '=', value: 'idle' }])).toEqual(pick((s) => s.labels.mode === 'idle'));
      expect(await find([{ label: 'mode', op: '!=', value: 'idle' }])).toEqual(pick((s) => s.labels.mode !== 'idle'));
      expect(await find([{ label: 'mode', op: '=', value: 'steal' }])).toEqual([]);
    });

    it('=~ and !~ on a map label are anchored regexes', async () => {
      expect(await find([{ label: 'mode', op: '=~', value: 'idle|us.*' }])).toEqual(pick((s) => s.labels.mode !== 'system'));
      expect(await find([{ label: 'mode', op: '=~', value: 'dle' }])).toEqual([]);
      expect(await find([{ label: 'mode', op: '!~', value: 'idle|user' }])).toEqual(pick((s) => s.labels.mode === 'system'));
      expect(await find([{ label: 'mode', op: '!~', value: 'dle' }])).toEqual(pick(() => true));
    });

    it('=, !=, =~, !~ on node', async () => {
      expect(await find([{ label: 'node', op: '=', value: 'n1' }])).toEqual(pick((s) => s.node === 'n1'));
      expect(await find([{ label: 'node', op: '!=', value: 'n1' }])).toEqual(pick((s) => s.node !== 'n1'));
      expect(await find([{ label: 'node', op: '=~', value: 'n[12]' }])).toEqual(pick(() => true));
      expect(await find([{ label: 'node', op: '!~', value: 'n2' }])).toEqual(pick((s) => s.node === 'n1'));
    });

    it('matchers combine with AND', async () => {
      expect(
        await find([
          { label: 'node', op: '=', value: 'n2' },
          { label: 'mode', op: '=~', value: 'user|system' },
        ]),
      ).toEqual(pick((s) => s.node === 'n2' && s.labels.mode !== 'idle'));
    });

    it('limit caps the result, keeping the lowest ids', async () => {
      expect(await find([], 2)).toEqual(sorted(all.map((s) => s.id)).slice(0, 2));
    });
  });
}
