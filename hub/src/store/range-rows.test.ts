import { describe, expect, it } from 'vitest';
import { decodeRangeRows } from './range-rows.ts';

/** RowBinary of (UInt64, Array(UInt32), Array(Float64)) rows, written independently of the decoder. */
function encode(rows: Array<{ key: bigint; t: number[]; v: number[] }>): Buffer {
  const parts: Buffer[] = [];
  for (const r of rows) {
    const key = Buffer.alloc(8);
    key.writeBigUInt64LE(r.key);
    const t = Buffer.alloc(4 * r.t.length);
    for (const [i, x] of r.t.entries()) t.writeUInt32LE(x, 4 * i);
    const v = Buffer.alloc(8 * r.v.length);
    for (const [i, x] of r.v.entries()) v.writeDoubleLE(x, 8 * i);
    parts.push(key, leb128(r.t.length), t, leb128(r.v.length), v);
  }
  return Buffer.concat(parts);
}

function leb128(n: number): Buffer {
  const out: number[] = [];
  let x = n;
  do {
    out.push((x & 0x7f) | (x >= 0x80 ? 0x80 : 0));
    x = Math.floor(x / 128);
  } while (x > 0);
  return Buffer.from(out);
}

describe('decodeRangeRows', () => {
  it('reads keys up to 2^64-1, empty and long (multi-byte length) arrays, NaN', () => {
    const long = Array.from({ length: 300 }, (_, i) => i * 60);
    const rows = [
      { key: 2n ** 64n - 1n, t: [1_700_000_000, 1_700_000_300], v: [1.5, Number.NaN] },
      { key: 0n, t: [], v: [] },
      { key: 7n, t: long, v: long.map((x) => x / 7) },
    ];
    const got = decodeRangeRows(encode(rows));
    expect(got.map((r) => ({ key: r.key, t: [...r.t], v: [...r.values] }))).toEqual(rows);
    expect(decodeRangeRows(new Uint8Array(0))).toEqual([]);
  });

  it('refuses truncated input instead of reading past it', () => {
    const full = encode([{ key: 1n, t: [10, 20], v: [1, 2] }]);
    for (const cut of [4, 9, 12, full.length - 1]) {
      expect(() => decodeRangeRows(full.subarray(0, cut)), `cut at ${cut}`).toThrow(RangeError);
    }
  });
});
