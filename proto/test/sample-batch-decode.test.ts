import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { AgentMessageSchema, SampleBatchSchema } from '../index.ts';
import { decodeBatchMessage } from '../sample-batch-decode.ts';

/** A deterministic PRNG, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomBatch(next: () => number) {
  const n = Math.floor(next() * 300);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] as T;
  return create(SampleBatchSchema, {
    sequence: pick([0n, 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(Math.floor(next() * 1e12))]),
    baseTimeMs: pick([0n, -1n, -(2n ** 63n), 1_794_810_600_000n, BigInt(Math.floor(next() * 1e13))]),
    seriesIds: Array.from({ length: n }, () => pick([0, 1, 127, 128, 16_383, 16_384, 2 ** 32 - 1, Math.floor(next() * 1e6)])),
    timeOffsetsMs: Array.from({ length: n }, () => pick([0, -1, 1, -(2 ** 31), 2 ** 31 - 1, Math.floor((next() - 0.5) * 1e6)])),
    values: Array.from({ length: n }, () => pick([0, -0, Number.NaN, Number.POSITIVE_INFINITY, -1e308, 5e-324, next() * 100])),
  });
}

const message = (batch: ReturnType<typeof randomBatch>) =>
  toBinary(AgentMessageSchema, create(AgentMessageSchema, { kind: { case: 'batch', value: batch } }));

const plain = (b: {
  sequence: bigint;
  baseTimeMs: bigint;
  seriesIds: ArrayLike<number>;
  timeOffsetsMs: ArrayLike<number>;
  values: ArrayLike<number>;
}) => ({
  sequence: b.sequence,
  baseTimeMs: b.baseTimeMs,
  seriesIds: Array.from(b.seriesIds),
  timeOffsetsMs: Array.from(b.timeOffsetsMs),
  values: Array.from(b.values, (v) => (Object.is(v, -0) ? '-0' : v)),
});

describe('decodeBatchMessage', () => {
  it('decodes what protobuf-es encodes exactly as protobuf-es decodes it (500 random batches)', () => {
    const next = rng(42);
    for (let i = 0; i < 500; i++) {
      const batch = randomBatch(next);
      const fast = decodeBatchMessage(message(batch));
      expect(fast, `case ${i}`).not.toBeNull();
      expect(plain(fast as NonNullable<typeof fast>), `case ${i}`).toEqual(plain(batch));
    }
  });

  it('never accepts what protobuf-es refuses, and never disagrees with it (truncations and bit flips)', () => {
    const next = rng(7);
    let fallbacks = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = Uint8Array.from(message(randomBatch(next)));
      const broken = next() < 0.5 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      if (broken === bytes && bytes.length > 0) {
        const at = Math.floor(next() * bytes.length);
        bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(next() * 8));
      }
      const fast = decodeBatchMessage(broken);
      let slow: ReturnType<typeof fromBinary<typeof AgentMessageSchema>> | null = null;
      try {
        slow = fromBinary(AgentMessageSchema, broken);
      } catch {
        slow = null;
      }
      if (fast === null) {
        fallbacks++;
        continue;
      }
      expect(slow?.kind.case, `case ${i}`).toBe('batch');
      if (slow?.kind.case === 'batch') expect(plain(fast), `case ${i}`).toEqual(plain(slow.kind.value));
    }
    expect(fallbacks).toBeGreaterThan(0);
  });

  it('leaves other message kinds, unpacked or repeated fields and unknown fields to protobuf-es', () => {
    const hello = toBinary(AgentMessageSchema, create(AgentMessageSchema, { kind: { case: 'hello', value: { node: 'n1' } } }));
    expect(decodeBatchMessage(hello)).toBeNull();
    // series_ids unpacked (field 3, varint wire type): valid protobuf, not the canonical form.
    const unpacked = Uint8Array.from([0x1a, 4, 0x08, 0x01, 0x18, 0x05]);
    expect(decodeBatchMessage(unpacked)).toBeNull();
    expect(fromBinary(AgentMessageSchema, unpacked).kind.case).toBe('batch');
    // An unknown field 9 inside the batch.
    const unknown = Uint8Array.from([0x1a, 4, 0x08, 0x01, 0x48, 0x01]);
    expect(decodeBatchMessage(unknown)).toBeNull();
    // Sequence twice (last one wins in protobuf).
    expect(decodeBatchMessage(Uint8Array.from([0x1a, 4, 0x08, 0x01, 0x08, 0x02]))).toBeNull();
    expect(decodeBatchMessage(new Uint8Array(0))).toBeNull();
  });
});
