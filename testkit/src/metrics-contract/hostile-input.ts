import { beforeAll, describe, expect, it } from 'vitest';
import type { LabelMatcher } from '../../../hub/src/store/metrics-store.ts';
import { InvalidQueryError } from '../../../hub/src/store/query-error.ts';
import { ids, type MetricsContractContext, series, tenantFor } from './context.ts';

/** Registers the contract's tests of hostile input: SQL metacharacters are data, bad regexes are InvalidQueryError. */
export function describeHostileInput(ctx: MetricsContractContext): void {
  describe('findSeries: hostile input is data, bad regexes are typed errors', () => {
    const tenant = tenantFor('hostile');
    const metric = 'node_cpu_mode_percent';
    const nasty = `'; DROP TABLE samples; -- ) OR 1=1 {x:String} \\' \` ’`;
    const plain = series(tenant, 201n, { labels: { mode: 'idle' } });
    const odd = series(tenant, 202n, { labels: { mode: nasty, [nasty]: 'x' } });
    const find = async (matchers: LabelMatcher[]) => ids(await ctx.store.findSeries({ tenant, metric, matchers, limit: 10 }));

    beforeAll(async () => {
      await ctx.store.insertSeries([plain, odd]);
    });

    it('label values and names with SQL metacharacters match literally', async () => {
      expect(await find([{ label: 'mode', op: '=', value: nasty }])).toEqual([202n]);
      expect(await find([{ label: 'mode', op: '!=', value: nasty }])).toEqual([201n]);
      expect(await find([{ label: nasty, op: '=', value: 'x' }])).toEqual([202n]);
      expect(await find([{ label: 'mode', op: '=~', value: '.*DROP TABLE.*' }])).toEqual([202n]);
      expect(await find([{ label: 'mode', op: '=', value: "' OR '1'='1" }])).toEqual([]);
    });

    it('a regex ClickHouse cannot compile is an InvalidQueryError naming it', async () => {
      const rejected = ctx.store.findSeries({ tenant, metric, matchers: [{ label: 'mode', op: '=~', value: 'a**' }], limit: 10 });
      await expect(rejected).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(rejected).rejects.toMatchObject({ input: 'a**' });
      await expect(find([{ label: 'mode', op: '!~', value: '(?<=x)y' }])).rejects.toBeInstanceOf(InvalidQueryError);
    });
  });
}
