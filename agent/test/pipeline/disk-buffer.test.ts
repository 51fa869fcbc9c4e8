import { appendFileSync, readdirSync, readFileSync, readlinkSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SampleBatchSchema } from '@ballast/proto';
import { toBinary } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskBatchStore, type DiskBatchStoreOptions } from '../../src/pipeline/disk-buffer.ts';
import { batch, collect, nums } from './batches.ts';
import { tempDirs } from './temp-dirs.ts';

const dirs = tempDirs('disk');
afterAll(() => dirs.removeAll());

async function openStore(dir: string, o: Partial<DiskBatchStoreOptions> = {}): Promise<DiskBatchStore> {
  const s = new DiskBatchStore({ dir, epoch: 5n, maxBytes: 64 * 1024 * 1024, fsync: 'never', ...o });
  await s.open();
  return s;
}

const segmentFiles = (dir: string, ext = '.log') =>
  readdirSync(join(dir, 'batches'))
    .filter((f) => f.endsWith(ext))
    .sort();
/** Bytes one record of `batch(n, points)` takes on disk (for small n): frame + header + protobuf. */
const recordBytes = (points: number) => 8 + 20 + toBinary(SampleBatchSchema, batch(1, points)).length;
const lastSegment = (dir: string) => join(dir, 'batches', segmentFiles(dir).at(-1) as string);

describe('DiskBatchStore across restarts', () => {
  it('reopens with the same pending batches in the same order; acked ones are gone', async () => {
    const dir = dirs.make();
    const s = await openStore(dir, { segmentBytes: 2_000 });
    for (let i = 1; i <= 12; i++) s.add(batch(i, 20));
    s.remove(4n);
    s.remove(9n);
    s.removeUpTo(2n);
    await s.close();

    const again = await openStore(dir, { segmentBytes: 2_000 });
    expect(nums(again.sequences())).toEqual([3, 5, 6, 7, 8, 10, 11, 12]);
    expect(await collect(again.replay())).toEqual([3, 5, 6, 7, 8, 10, 11, 12].map((i) => batch(i, 20)));
    expect(again.pointCount).toBe(8 * 20);
    expect(again.highestSequence).toBe(12n);
    expect(again.corruptRecords).toBe(0);
    // A reopened store appends to a new segment and keeps going.
    again.add(batch(13, 20));
    again.remove(3n);
    await again.close();
    const third = await openStore(dir, { segmentBytes: 2_000 });
    expect(nums(third.sequences())).toEqual([5, 6, 7, 8, 10, 11, 12, 13]);
    await third.close();
  });

  it('reopens after the process lost the store without close (no flush, no fsync)', async () => {
    const dir = dirs.make();
    const s = await openStore(dir);
    for (let i = 1; i <= 5; i++) s.add(batch(i));
    s.remove(1n);
    // No close: what a crash leaves behind. Every add already reached the kernel.
    const again = await openStore(dir);
    expect(nums(again.sequences())).toEqual([2, 3, 4, 5]);
    await again.close();
    await s.close();
  });

  it('deletes a segment from disk once every batch in it is acked', async () => {
    const dir = dirs.make();
    // Exactly 3 records per segment.
    const s = await openStore(dir, { segmentBytes: 3 * recordBytes(20) });
    for (let i = 1; i <= 10; i++) s.add(batch(i, 20));
    expect(segmentFiles(dir)).toHaveLength(4);
    const before = s.bytes;
    s.removeUpTo(3n); // the whole first segment
    expect(segmentFiles(dir)).toHaveLength(3);
    expect(s.bytes).toBeLessThan(before);
    for (const seq of [4n, 6n, 5n]) s.remove(seq); // the second, out of order
    expect(segmentFiles(dir)).toHaveLength(2);
    expect(segmentFiles(dir, '.ack')).toHaveLength(0);
    s.remove(8n);
    expect(segmentFiles(dir, '.ack')).toHaveLength(1);
    // The active segment stays while it is written to, even when fully acked.
    s.removeUpTo(10n);
    expect(segmentFiles(dir)).toHaveLength(1);
    await s.close();
    // On reopen a fully acked segment is deleted.
    const again = await openStore(dir);
    expect(again.size).toBe(0);
    expect(segmentFiles(dir)).toHaveLength(0);
    await again.close();
  });

  it('keeps an ack log open between acks, and closes it with its segment and with the store', async () => {
    const dir = dirs.make();
    // Ack logs this process holds open, by name.
    const openAcks = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((p) => p.startsWith(join(dir, 'batches')) && p.endsWith('.ack'));
    const s = await openStore(dir, { segmentBytes: 3 * recordBytes(20) });
    for (let i = 1; i <= 7; i++) s.add(batch(i, 20));
    s.remove(1n);
    s.remove(4n);
    s.remove(2n);
    expect(openAcks()).toHaveLength(2); // the first two segments' logs, one descriptor each
    s.remove(3n); // the first segment is all acked: deleted, its log closed
    expect(openAcks()).toHaveLength(1);
    await s.close();
    expect(openAcks()).toHaveLength(0);
    // What was written through the kept descriptor is what the next run reads.
    const again = await openStore(dir);
    expect(nums(again.sequences())).toEqual([5, 6, 7]);
    again.remove(5n);
    await again.close();
    const third = await openStore(dir);
    expect(nums(third.sequences())).toEqual([6, 7]);
    await third.close();
  });

  it('detects a torn last record (crash mid-write), counts it, truncates it, keeps the rest', async () => {
    const dir = dirs.make();
    const s = await openStore(dir);
    for (let i = 1; i <= 5; i++) s.add(batch(i, 50));
    await s.close();
    const path = lastSegment(dir);
    const full = statSync(path).size;
    truncateSync(path, full - 100); // cut into record 5
    const again = await openStore(dir);
    expect(nums(again.sequences())).toEqual([1, 2, 3, 4]);
    expect(again.corruptRecords).toBe(1);
    expect(again.truncatedBytes).toBeGreaterThan(0);
    expect(statSync(path).size).toBe((full / 5) * 4);
    expect(await collect(again.replay())).toEqual([1, 2, 3, 4].map((i) => batch(i, 50)));
    await again.close();
    // Truncated for good: the next open finds nothing wrong.
    const third = await openStore(dir);
    expect(third.corruptRecords).toBe(0);
    expect(third.size).toBe(4);
    await third.close();
  });

  it('detects a flipped byte (CRC) and a zero-filled tail (power cut) the same way', async () => {
    for (const damage of ['flip', 'zeros'] as const) {
      const dir = dirs.make();
      const s = await openStore(dir);
      for (let i = 1; i <= 3; i++) s.add(batch(i, 50));
      await s.close();
      const path = lastSegment(dir);
      if (damage === 'flip') {
        const buf = readFileSync(path);
        buf[buf.length - 5] = (buf[buf.length - 5] as number) ^ 0xff;
        writeFileSync(path, buf);
      } else appendFileSync(path, Buffer.alloc(4096));
      const again = await openStore(dir);
      expect(nums(again.sequences())).toEqual(damage === 'flip' ? [1, 2] : [1, 2, 3]);
      expect(again.corruptRecords).toBe(1);
      await again.close();
    }
  });

  it('a record damaged after open is skipped on replay and counted as lost', async () => {
    const dir = dirs.make();
    const s = await openStore(dir);
    for (let i = 1; i <= 3; i++) s.add(batch(i, 50));
    const path = lastSegment(dir);
    const buf = readFileSync(path);
    const mid = Math.floor(buf.length / 2); // inside record 2
    buf[mid] = (buf[mid] as number) ^ 0xff;
    writeFileSync(path, buf);
    expect(nums((await collect(s.replay())).map((b) => b.sequence))).toEqual([1, 3]);
    expect(s).toMatchObject({ corruptRecords: 1, droppedBatches: 1, droppedPoints: 50, size: 2 });
    await s.close();
  });

  it('a torn ack log only means the batch is replayed again (counted)', async () => {
    const dir = dirs.make();
    const s = await openStore(dir);
    for (let i = 1; i <= 4; i++) s.add(batch(i));
    s.remove(1n);
    s.remove(2n);
    await s.close();
    const ack = join(dir, 'batches', segmentFiles(dir, '.ack')[0] as string);
    truncateSync(ack, statSync(ack).size - 3);
    const again = await openStore(dir);
    expect(nums(again.sequences())).toEqual([2, 3, 4]);
    expect(again.corruptRecords).toBe(1);
    await again.close();
  });

  it('when over the size bound drops the OLDEST segment and counts its un-acked batches and points', async () => {
    const dir = dirs.make();
    // 3 records per segment; the bound holds 3 segments (and their ack logs).
    const rec = recordBytes(100);
    const s = await openStore(dir, { maxBytes: 9 * rec + 200, segmentBytes: 3 * rec });
    for (let i = 1; i <= 9; i++) s.add(batch(i, 100));
    expect(s.droppedBatches).toBe(0);
    s.remove(2n); // acked batches in a dropped segment are not counted as lost
    s.add(batch(10, 100)); // a fourth segment: over the bound
    expect(nums(s.sequences())).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(s.droppedBatches).toBe(2);
    expect(s.droppedPoints).toBe(200);
    expect(s.bytes).toBeLessThanOrEqual(9 * rec + 200);
    expect(segmentFiles(dir)).toHaveLength(3);
    const onDisk = readdirSync(join(dir, 'batches')).reduce((sum, f) => sum + statSync(join(dir, 'batches', f)).size, 0);
    expect(onDisk).toBe(s.bytes);
    await s.close();
    // A smaller bound on reopen applies at once.
    const again = await openStore(dir, { maxBytes: 5 * rec, segmentBytes: 3 * rec });
    expect(nums(again.sequences())).toEqual([7, 8, 9, 10]);
    expect(again.droppedBatches).toBe(3);
    await again.close();
  });

  it('drops (and counts) records of another epoch: their sequences mean nothing under the new one', async () => {
    const dir = dirs.make();
    const s = await openStore(dir);
    for (let i = 1; i <= 3; i++) s.add(batch(i, 10));
    await s.close();
    const other = await openStore(dir, { epoch: 6n });
    expect(other.size).toBe(0);
    expect(other.droppedBatches).toBe(3);
    expect(other.droppedPoints).toBe(30);
    expect(segmentFiles(dir)).toHaveLength(0);
    await other.close();
  });

  it('replay keeps reading a segment that is deleted while it runs', async () => {
    const dir = dirs.make();
    const s = await openStore(dir, { segmentBytes: 3 * recordBytes(20) });
    for (let i = 1; i <= 9; i++) s.add(batch(i, 20));
    const seen: number[] = [];
    for await (const b of s.replay()) {
      seen.push(Number(b.sequence));
      // Acks arrive mid-replay and delete the first segments; the rest is still replayed.
      if (b.sequence === 2n) s.removeUpTo(5n);
    }
    expect(seen).toEqual([1, 2, 6, 7, 8, 9]);
    await s.close();
  });

  it('syncs under interval and always, and refuses add after close', async () => {
    for (const fsync of ['interval', 'always'] as const) {
      const dir = dirs.make();
      const s = await openStore(dir, { fsync, fsyncIntervalMs: 10, segmentBytes: 1_000 });
      for (let i = 1; i <= 10; i++) s.add(batch(i, 20));
      await new Promise((r) => setTimeout(r, 30));
      await s.flush();
      expect(s.flushErrors).toBe(0);
      await s.close();
      expect(() => s.add(batch(11))).toThrow(/closed/);
      const again = await openStore(dir, { fsync });
      expect(again.size).toBe(10);
      await again.close();
    }
  });
});
