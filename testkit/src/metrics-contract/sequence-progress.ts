import { describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../../hub/src/store/metrics-store.ts';
import { batchRecord, type MetricsContractContext, tenantFor } from './context.ts';

/** Registers the contract's tests of sequenceProgress and sequenceProgressMany: contiguous run and sequences above it, per key. */
export function describeSequenceProgress(ctx: MetricsContractContext): void {
  describe('sequenceProgress', () => {
    const epoch = 1_700_000_000_000_456n;
    const progress = (tenant: string, e = epoch) => ctx.store.sequenceProgress(tenant, 'c1', 'n1', e);
    const record = (tenant: string, seqs: number[], over: Partial<BatchRecord> = {}) =>
      ctx.store.recordBatches(seqs.map((s) => batchRecord(tenant, s, { epoch, ...over })));

    it('nothing recorded: contiguous 0', async () => {
      expect(await progress(tenantFor('seq-none'))).toEqual({ contiguous: 0n, above: [] });
    });

    it('1..5: contiguous 5', async () => {
      const tenant = tenantFor('seq-run');
      await record(tenant, [3, 1, 5, 2, 4]);
      expect(await progress(tenant)).toEqual({ contiguous: 5n, above: [] });
    });

    it('1,2,4,7: contiguous 2, above [4, 7]', async () => {
      const tenant = tenantFor('seq-gaps');
      await record(tenant, [7, 1, 4, 2]);
      expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [4n, 7n] });
    });

    it('orders sequences numerically, not as text (2 < 10)', async () => {
      const tenant = tenantFor('seq-numeric');
      await record(tenant, [1, 10, 2, 11]);
      expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [10n, 11n] });
    });

    it('a gap at 1 leaves contiguous 0', async () => {
      const tenant = tenantFor('seq-nofirst');
      await record(tenant, [2, 3]);
      expect(await progress(tenant)).toEqual({ contiguous: 0n, above: [2n, 3n] });
    });

    it('rejected batches count as handled', async () => {
      const tenant = tenantFor('seq-rejected');
      await record(tenant, [1, 3]);
      await record(tenant, [2], { status: 'rejected' });
      expect(await progress(tenant)).toEqual({ contiguous: 3n, above: [] });
    });

    it('a batch recorded twice counts once', async () => {
      const tenant = tenantFor('seq-dup');
      await record(tenant, [1, 1, 2]);
      await record(tenant, [2, 4]);
      expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [4n] });
    });

    it('is kept per tenant, cluster, node and epoch', async () => {
      const tenant = tenantFor('seq-scope');
      await record(tenant, [1, 2, 3]);
      expect(await progress(tenant, epoch + 1n)).toEqual({ contiguous: 0n, above: [] });
      expect(await ctx.store.sequenceProgress(tenant, 'c2', 'n1', epoch)).toEqual({ contiguous: 0n, above: [] });
      expect(await ctx.store.sequenceProgress(tenant, 'c1', 'n2', epoch)).toEqual({ contiguous: 0n, above: [] });
      expect(await progress(tenantFor('seq-scope-other'))).toEqual({ contiguous: 0n, above: [] });
    });

    it('sequenceProgressMany: one answer per key in the order given, equal to sequenceProgress', async () => {
      const tenant = tenantFor('seq-many');
      await record(tenant, [1, 2, 3]);
      await record(tenant, [1, 4, 6], { node: 'n2' });
      await record(tenant, [2, 10], { node: 'n3' });
      const odd = `it's \\ "odd")`;
      await record(tenant, [1, 3], { node: odd });
      const keys = [
        { tenant, cluster: 'c1', node: odd, epoch },
        { tenant, cluster: 'c1', node: 'n3', epoch },
        { tenant, cluster: 'c1', node: 'never', epoch },
        { tenant, cluster: 'c1', node: 'n1', epoch },
        { tenant, cluster: 'c1', node: 'n2', epoch },
        { tenant, cluster: 'c1', node: 'n1', epoch: epoch + 1n },
        { tenant, cluster: 'c1', node: 'n1', epoch },
      ];
      const many = await ctx.store.sequenceProgressMany(keys);
      expect(many).toEqual([
        { contiguous: 1n, above: [3n] },
        { contiguous: 0n, above: [2n, 10n] },
        { contiguous: 0n, above: [] },
        { contiguous: 3n, above: [] },
        { contiguous: 1n, above: [4n, 6n] },
        { contiguous: 0n, above: [] },
        { contiguous: 3n, above: [] },
      ]);
      for (const [i, k] of keys.entries()) expect(await ctx.store.sequenceProgress(k.tenant, k.cluster, k.node, k.epoch)).toEqual(many[i]);
      expect(await ctx.store.sequenceProgressMany([])).toEqual([]);
    });

    it('insertSamples with no points still records its batches', async () => {
      const tenant = tenantFor('seq-empty-samples');
      await ctx.store.insertSamples([], [batchRecord(tenant, 1, { epoch }), batchRecord(tenant, 2, { epoch, status: 'rejected' })]);
      expect(await progress(tenant)).toEqual({ contiguous: 2n, above: [] });
    });
  });
}
