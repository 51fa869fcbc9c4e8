import { SampleBatchSchema } from '@ballast/proto';
import { create, isMessage, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../collectors/collector.ts';
import { BatchBuilder } from './batch-builder.ts';
import { SeriesRegistry } from './series-registry.ts';

function g(metric: string, value: number, labels: Record<string, string> = {}): Sample {
  return { metric, labels, value, kind: 'gauge', unit: '' };
}

describe('BatchBuilder', () => {
  it('builds a columnar batch with sequence starting at 1', () => {
    const b = new BatchBuilder(new SeriesRegistry(10));
    expect(b.lastSequence).toBe(0n);
    const batch = b.build([g('a', 1.5), g('b', -2), g('a', 3, { x: 'y' })], 1_700_000_000_123);
    expect(batch).not.toBeNull();
    expect(batch?.sequence).toBe(1n);
    expect(batch?.baseTimeMs).toBe(1_700_000_000_123n);
    expect(batch?.seriesIds).toEqual([1, 2, 3]);
    expect(batch?.values).toEqual([1.5, -2, 3]);
    expect(batch?.timeOffsetsMs).toEqual([0, 0, 0]);
    expect(b.lastSequence).toBe(1n);
  });

  it('makes the same message as create(SampleBatchSchema), to the last property and byte', () => {
    const batch = new BatchBuilder(new SeriesRegistry(10)).build([g('a', 1.5), g('b', 2 ** 40)], 1_700_000_000_123);
    const made = create(SampleBatchSchema, {
      sequence: 1n,
      baseTimeMs: 1_700_000_000_123n,
      seriesIds: [1, 2],
      timeOffsetsMs: [0, 0],
      values: [1.5, 2 ** 40],
    });
    expect(batch).toStrictEqual(made);
    expect(Object.keys(batch ?? {})).toEqual(Object.keys(made));
    expect(isMessage(batch, SampleBatchSchema)).toBe(true);
    expect(toBinary(SampleBatchSchema, made)).toEqual(toBinary(SampleBatchSchema, batch ?? made));
  });

  it('increments the sequence per batch and reuses series ids', () => {
    const b = new BatchBuilder(new SeriesRegistry(10));
    b.build([g('a', 1)], 1000);
    const second = b.build([g('b', 2), g('a', 3)], 2000);
    const third = b.build([g('a', 4)], 3000);
    expect(second?.sequence).toBe(2n);
    expect(second?.seriesIds).toEqual([2, 1]);
    expect(third?.sequence).toBe(3n);
    expect(b.lastSequence).toBe(3n);
  });

  it('skips NaN and ±Infinity without registering a series', () => {
    const registry = new SeriesRegistry(10);
    const b = new BatchBuilder(registry);
    const batch = b.build([g('nan', Number.NaN), g('ok', 0), g('inf', Number.POSITIVE_INFINITY), g('ninf', Number.NEGATIVE_INFINITY)], 1);
    expect(batch?.values).toEqual([0]);
    expect(batch?.seriesIds).toEqual([1]);
    expect(registry.size).toBe(1);
    expect(b.droppedSeries).toBe(0);
  });

  it('returns null and does not consume a sequence when nothing is left', () => {
    const b = new BatchBuilder(new SeriesRegistry(10));
    expect(b.build([], 1)).toBeNull();
    expect(b.build([g('x', Number.NaN)], 1)).toBeNull();
    expect(b.lastSequence).toBe(0n);
    expect(b.build([g('x', 1)], 1)?.sequence).toBe(1n);
  });

  it('counts samples dropped because the registry is full', () => {
    const b = new BatchBuilder(new SeriesRegistry(1));
    const batch = b.build([g('a', 1), g('b', 2), g('c', 3), g('a', 4)], 1);
    expect(batch?.seriesIds).toEqual([1, 1]);
    expect(batch?.values).toEqual([1, 4]);
    expect(b.droppedSeries).toBe(2);
    expect(b.build([g('b', 1)], 2)).toBeNull();
    expect(b.droppedSeries).toBe(3);
  });
});
