import { beforeAll, describe, expect, it } from 'vitest';
import { type MetricsContractContext, series, tenantFor } from './context.ts';

/** Registers the contract's tests of the catalog of metric names, label names and label values, per tenant. */
export function describeCatalog(ctx: MetricsContractContext): void {
  describe('catalog: metric names, label names, label values', () => {
    const tenant = tenantFor('catalog');
    const other = tenantFor('catalog-other');

    beforeAll(async () => {
      await ctx.store.insertSeries([
        series(tenant, 301n, { metric: 'node_load1', node: 'n1', labels: {} }),
        series(tenant, 302n, { metric: 'node_load5', node: 'n2', cluster: 'c2', labels: { zone: 'a' } }),
        series(tenant, 303n, { metric: 'node_cpu_mode_percent', labels: { mode: 'idle', cpu: 'all' } }),
        series(tenant, 304n, { metric: 'node_cpu_mode_percent', labels: { mode: 'user', cpu: '' } }),
        series(other, 305n, { metric: 'node_secret', labels: { secret: 's' } }),
      ]);
    });

    it('metricNames: sorted, by prefix, limited, per tenant', async () => {
      expect(await ctx.store.metricNames({ tenant, prefix: '', limit: 10 })).toEqual(['node_cpu_mode_percent', 'node_load1', 'node_load5']);
      expect(await ctx.store.metricNames({ tenant, prefix: 'node_load', limit: 10 })).toEqual(['node_load1', 'node_load5']);
      expect(await ctx.store.metricNames({ tenant, prefix: '', limit: 1 })).toEqual(['node_cpu_mode_percent']);
      expect(await ctx.store.metricNames({ tenant, prefix: "'; DROP TABLE series; --", limit: 10 })).toEqual([]);
      expect(await ctx.store.metricNames({ tenant: other, prefix: '', limit: 10 })).toEqual(['node_secret']);
    });

    it('labelNames: node and cluster always, map keys, optionally of one metric', async () => {
      expect(await ctx.store.labelNames({ tenant, limit: 100 })).toEqual(['cluster', 'cpu', 'mode', 'node', 'zone']);
      expect(await ctx.store.labelNames({ tenant, metric: 'node_load1', limit: 100 })).toEqual(['cluster', 'node']);
      expect(await ctx.store.labelNames({ tenant, metric: 'nope', limit: 100 })).toEqual([]);
    });

    it('labelValues: columns and map labels, empty values left out, per metric', async () => {
      expect(await ctx.store.labelValues({ tenant, label: 'node', limit: 100 })).toEqual(['n1', 'n2']);
      expect(await ctx.store.labelValues({ tenant, label: 'cluster', metric: 'node_load5', limit: 100 })).toEqual(['c2']);
      expect(await ctx.store.labelValues({ tenant, label: 'mode', limit: 100 })).toEqual(['idle', 'user']);
      expect(await ctx.store.labelValues({ tenant, label: 'cpu', limit: 100 })).toEqual(['all']);
      expect(await ctx.store.labelValues({ tenant, label: "x'] OR 1=1 --", limit: 100 })).toEqual([]);
      expect(await ctx.store.labelValues({ tenant, label: 'secret', limit: 100 })).toEqual([]);
    });
  });
}
