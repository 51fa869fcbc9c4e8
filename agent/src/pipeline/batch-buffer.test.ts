import { type SampleBatch, SampleBatchSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { BatchBuffer } from './batch-buffer.ts';

function batch(sequence: number, points: number): SampleBatch {
  return create(SampleBatchSchema, {
    sequence: BigInt(sequence),
    baseTimeMs: 0n,
    seriesIds: Array.from({ length: points }, (_, i) => i + 1),
    timeOffsetsMs: new Array<number>(points).fill(0),
    values: new Array<number>(points).fill(1),
  });
}

const seqs = (b: BatchBuffer) => b.pending().map((x) => Number(x.sequence));

describe('BatchBuffer', () => {
  it('keeps batches in sequence order and counts points', () => {
    const b = new BatchBuffer(100);
    b.add(batch(1, 3));
    b.add(batch(2, 4));
    b.add(batch(3, 5));
    expect(seqs(b)).toEqual([1, 2, 3]);
    expect(b.size).toBe(3);
    expect(b.pointCount).toBe(12);
  });

  it('remove takes exactly one batch; an unknown sequence returns false', () => {
    const b = new BatchBuffer(100);
    b.add(batch(1, 3));
    b.add(batch(2, 4));
    b.add(batch(3, 5));
    expect(b.remove(2n)).toBe(true);
    expect(b.remove(2n)).toBe(false);
    expect(b.remove(99n)).toBe(false);
    expect(seqs(b)).toEqual([1, 3]);
    expect(b.pointCount).toBe(8);
  });

  it('removeUpTo removes every batch <= sequence and returns how many', () => {
    const b = new BatchBuffer(100);
    for (const s of [1, 2, 3, 5, 8]) b.add(batch(s, 2));
    b.remove(2n);
    expect(b.removeUpTo(4n)).toBe(2);
    expect(seqs(b)).toEqual([5, 8]);
    expect(b.pointCount).toBe(4);
    expect(b.removeUpTo(0n)).toBe(0);
    expect(b.removeUpTo(100n)).toBe(2);
    expect(b.size).toBe(0);
    expect(b.pointCount).toBe(0);
  });

  it('drops the oldest batches when over maxPoints and counts batches and points', () => {
    const b = new BatchBuffer(10);
    b.add(batch(1, 4));
    b.add(batch(2, 4));
    expect(b.droppedBatches).toBe(0);
    b.add(batch(3, 4)); // 12 > 10: drop 1
    expect(seqs(b)).toEqual([2, 3]);
    expect(b.droppedBatches).toBe(1);
    expect(b.droppedPoints).toBe(4);
    b.add(batch(4, 9)); // 17 > 10: drop 2 (13), drop 3 (9)
    expect(seqs(b)).toEqual([4]);
    expect(b.pointCount).toBe(9);
    expect(b.droppedBatches).toBe(3);
    expect(b.droppedPoints).toBe(12);
  });

  it('keeps a single batch larger than maxPoints rather than dropping the newest', () => {
    const b = new BatchBuffer(5);
    b.add(batch(1, 2));
    b.add(batch(2, 20));
    expect(seqs(b)).toEqual([2]);
    expect(b.pointCount).toBe(20);
    expect(b.droppedBatches).toBe(1);
    expect(b.droppedPoints).toBe(2);
  });

  it('exactly at maxPoints drops nothing', () => {
    const b = new BatchBuffer(10);
    b.add(batch(1, 5));
    b.add(batch(2, 5));
    expect(b.size).toBe(2);
    expect(b.droppedBatches).toBe(0);
  });
});
