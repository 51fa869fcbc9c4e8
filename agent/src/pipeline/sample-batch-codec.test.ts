import { AgentMessageSchema, SampleBatchSchema } from '@ballast/proto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { encodeAgentBatchMessage, encodeSampleBatch } from './sample-batch-codec.ts';

function batch(init: Partial<{ sequence: bigint; baseTimeMs: bigint; seriesIds: number[]; timeOffsetsMs: number[]; values: number[] }>) {
  return create(SampleBatchSchema, init);
}

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('encodeSampleBatch', () => {
  it('writes the same bytes as toBinary for a cycle-sized batch', () => {
    const r = rng(1);
    const n = 7_000;
    const b = batch({
      sequence: 123_456n,
      baseTimeMs: 1_763_871_234_567n,
      seriesIds: Array.from({ length: n }, (_, i) => i + 1),
      timeOffsetsMs: new Array(n).fill(0),
      values: Array.from({ length: n }, () => r() * 1e12),
    });
    expect(Buffer.from(encodeSampleBatch(b))).toEqual(Buffer.from(toBinary(SampleBatchSchema, b)));
  });

  it('matches toBinary at the edges: empty fields, zero, negative and huge numbers, every varint width', () => {
    const cases = [
      batch({}),
      batch({ sequence: 1n }),
      batch({ baseTimeMs: -5n }),
      batch({ sequence: 2n ** 64n - 1n, baseTimeMs: 2n ** 63n - 1n }),
      batch({ seriesIds: [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 4_294_967_295] }),
      batch({ timeOffsetsMs: [0, -1, 1, -64, 64, -2_147_483_648, 2_147_483_647, -1_000_000] }),
      batch({
        values: [0, -0, 1.5, -2.25, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      }),
      batch({ sequence: 9n, baseTimeMs: 1n, seriesIds: [3, 1], timeOffsetsMs: [0, 250], values: [4, 5] }),
    ];
    for (const b of cases) expect(Buffer.from(encodeSampleBatch(b))).toEqual(Buffer.from(toBinary(SampleBatchSchema, b)));
  });

  it('round-trips through fromBinary', () => {
    const r = rng(7);
    const b = batch({
      sequence: 42n,
      baseTimeMs: 1_700_000_000_000n,
      seriesIds: Array.from({ length: 500 }, () => Math.floor(r() * 100_000)),
      timeOffsetsMs: Array.from({ length: 500 }, () => Math.floor(r() * 2_000) - 1_000),
      values: Array.from({ length: 500 }, () => r() - 0.5),
    });
    expect(fromBinary(SampleBatchSchema, encodeSampleBatch(b))).toEqual(b);
  });

  it('wraps a batch as an AgentMessage with the same bytes as toBinary', () => {
    const r = rng(3);
    for (const n of [0, 1, 10, 15, 16, 2_000, 20_000]) {
      const b = batch({
        sequence: BigInt(n + 1),
        baseTimeMs: 1_763_871_234_567n,
        seriesIds: Array.from({ length: n }, (_, i) => i + 1),
        timeOffsetsMs: new Array(n).fill(0),
        values: Array.from({ length: n }, () => r() * 1e6),
      });
      const message = create(AgentMessageSchema, { kind: { case: 'batch', value: b } });
      expect(Buffer.from(encodeAgentBatchMessage(b))).toEqual(Buffer.from(toBinary(AgentMessageSchema, message)));
    }
  });
});
