import { describe, expect, it } from 'vitest';
import { block, type MetricsContractContext, tenantFor } from './context.ts';

/** Registers the contract's tests of storageUsage sizes and optimize: rows grow by the points stored, retries add none. */
export function describeStorageUsage(ctx: MetricsContractContext): void {
  describe('storageUsage and optimize', () => {
    const tenant = tenantFor('usage');
    // Recent, so no retention drops them; two series, 3 minutes across an hour boundary.
    const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 - 120_000;
    const points: Array<[bigint, number, number]> = [];
    for (const id of [501n, 502n]) for (let i = 0; i < 18; i++) points.push([id, T0 + i * 10_000, i * 1.5]);
    const usage = async () => new Map((await ctx.store.storageUsage()).tables.map((t) => [t.table, t]));
    const delta = (a: Map<string, { rows: number; points: number | null }>, b: typeof a, table: string) => ({
      rows: (b.get(table)?.rows ?? 0) - (a.get(table)?.rows ?? 0),
      points: (b.get(table)?.points ?? 0) - (a.get(table)?.points ?? 0),
    });

    it('lists every table with consistent sizes', async () => {
      const u = await ctx.store.storageUsage();
      expect(u.tables.map((t) => t.table)).toEqual(
        expect.arrayContaining(['series', 'samples', 'samples_1m', 'samples_1h', 'events', 'logs']),
      );
      for (const t of u.tables) {
        expect(t.bytesPerRow).toBe(t.rows > 0 ? t.bytesOnDisk / t.rows : 0);
        if (t.points !== null) expect(t.bytesPerPoint).toBe(t.points > 0 ? t.bytesOnDisk / t.points : 0);
        if (t.rows > 0) expect(t.parts).toBeGreaterThan(0);
      }
      expect(u.totalBytesOnDisk).toBe(u.tables.reduce((s, t) => s + t.bytesOnDisk, 0));
    });

    it('after optimize, samples rows grow by exactly the points stored, and rollups stand for them', async () => {
      await ctx.store.optimize();
      const before = await usage();
      await ctx.store.insertSamples([{ tenant, cluster: 'c1', block: block(points.slice(0, 20)) }], []);
      await ctx.store.insertSamples([{ tenant, cluster: 'c1', block: block(points.slice(20)) }], []);
      await ctx.store.optimize();
      const after = await usage();
      expect(delta(before, after, 'samples')).toEqual({ rows: 36, points: 36 });
      // 2 series x 3 minutes; 2 series x 2 hours (the points straddle an hour boundary).
      expect(delta(before, after, 'samples_1m')).toEqual({ rows: 6, points: 36 });
      expect(delta(before, after, 'samples_1h')).toEqual({ rows: 4, points: 36 });
      const samples = after.get('samples');
      expect(samples?.bytesOnDisk).toBeGreaterThan(0);
      expect(samples?.bytesUncompressed).toBeGreaterThan(0);
      expect(samples?.bytesPerPoint).toBeGreaterThan(0);
    });

    it('after optimize, a retried insert adds no sample rows', async () => {
      const before = await usage();
      await ctx.store.insertSamples([{ tenant, cluster: 'c1', block: block(points) }], []);
      await ctx.store.optimize();
      expect(delta(before, await usage(), 'samples').rows).toBe(0);
    });
  });
}
