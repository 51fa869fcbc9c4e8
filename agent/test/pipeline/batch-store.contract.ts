import { describe, expect, it } from 'vitest';
import type { BatchStore } from '../../src/pipeline/batch-store.ts';
import { batch, collect, nums } from './batches.ts';

export interface StoreFactory {
  /** An opened, empty store. `bounded`: small enough that ~50 batches of 100 points overflow it. */
  open(options?: { bounded?: boolean }): Promise<BatchStore>;
  /** A store that was never opened (for lifecycle checks). */
  unopened(): BatchStore;
}

/** The BatchStore contract: every implementation passes it. */
export function batchStoreContract(name: string, factory: StoreFactory): void {
  describe(`BatchStore contract: ${name}`, () => {
    it('is empty when new; close is safe before open and twice', async () => {
      const unopened = factory.unopened();
      await unopened.close();
      await unopened.close();
      const s = await factory.open();
      expect(s.size).toBe(0);
      expect(s.pointCount).toBe(0);
      expect(s.highestSequence).toBe(0n);
      expect(s.sequences()).toEqual([]);
      expect(await collect(s.replay())).toEqual([]);
      await s.flush();
      await s.close();
      await s.close();
    });

    it('keeps batches in sequence order, counts points and remembers the highest sequence', async () => {
      const s = await factory.open();
      s.add(batch(1, 3));
      s.add(batch(2, 4));
      s.add(batch(3, 5));
      expect(nums(s.sequences())).toEqual([1, 2, 3]);
      expect(s.size).toBe(3);
      expect(s.pointCount).toBe(12);
      expect(s.highestSequence).toBe(3n);
      expect(s.bytes).toBeGreaterThan(0);
      await s.close();
    });

    it('replay yields the batches exactly as added, in order', async () => {
      const s = await factory.open();
      for (let i = 1; i <= 5; i++) s.add(batch(i, i * 2));
      const replayed = await collect(s.replay());
      expect(replayed).toEqual([1, 2, 3, 4, 5].map((i) => batch(i, i * 2)));
      // Replaying does not consume.
      expect(nums((await collect(s.replay())).map((b) => b.sequence))).toEqual([1, 2, 3, 4, 5]);
      await s.close();
    });

    it('remove takes exactly one batch; an unknown or removed sequence returns false', async () => {
      const s = await factory.open();
      for (let i = 1; i <= 3; i++) s.add(batch(i, i + 2));
      expect(s.remove(2n)).toBe(true);
      expect(s.remove(2n)).toBe(false);
      expect(s.remove(99n)).toBe(false);
      expect(nums(s.sequences())).toEqual([1, 3]);
      expect(s.pointCount).toBe(8);
      expect(s.highestSequence).toBe(3n);
      await s.close();
    });

    it('removeUpTo removes every batch <= sequence and returns how many', async () => {
      const s = await factory.open();
      for (const i of [1, 2, 3, 5, 8]) s.add(batch(i, 2));
      s.remove(2n);
      expect(s.removeUpTo(4n)).toBe(2);
      expect(nums(s.sequences())).toEqual([5, 8]);
      expect(s.pointCount).toBe(4);
      expect(s.removeUpTo(0n)).toBe(0);
      expect(s.removeUpTo(100n)).toBe(2);
      expect(s.size).toBe(0);
      expect(s.pointCount).toBe(0);
      await s.close();
    });

    it('re-adding a sequence replaces the batch', async () => {
      const s = await factory.open();
      s.add(batch(1, 2));
      s.add(batch(1, 6));
      expect(s.size).toBe(1);
      expect(s.pointCount).toBe(6);
      expect((await collect(s.replay()))[0]?.values).toHaveLength(6);
      await s.close();
    });

    it('replay is live: yields batches added during it and skips ones removed before their turn', async () => {
      const s = await factory.open();
      for (let i = 1; i <= 4; i++) s.add(batch(i));
      const seen: number[] = [];
      for await (const b of s.replay()) {
        seen.push(Number(b.sequence));
        if (b.sequence === 1n) {
          s.remove(3n);
          s.add(batch(5));
        }
        if (b.sequence === 5n) s.add(batch(6));
      }
      expect(seen).toEqual([1, 2, 4, 5, 6]);
      await s.close();
    });

    it('when full drops the oldest batches first and counts every batch and point', async () => {
      const s = await factory.open({ bounded: true });
      const added = 200;
      for (let i = 1; i <= added; i++) s.add(batch(i, 100));
      const held = nums(s.sequences());
      expect(s.droppedBatches).toBeGreaterThan(0);
      expect(held.at(-1)).toBe(added);
      // What is left is a contiguous run of the newest.
      expect(held).toEqual(Array.from({ length: held.length }, (_, i) => added - held.length + 1 + i));
      expect(s.droppedBatches + s.size).toBe(added);
      expect(s.droppedPoints + s.pointCount).toBe(added * 100);
      await s.close();
    });
  });
}
