import { describe, expect, it } from 'vitest';
import { decodeRangeRows } from './range-rows.ts';

/** RowBinary of (UInt64, Array(UInt32), Array(Float64)) rows, written independently of the decoder. */
function encode(rows: Array<{ key: bigint; t: number[]; v: number[]; json?: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const r of rows) {
    const key = Buffer.alloc(8);
    key.writeBigUInt64LE(r.key);
    const t = Buffer.alloc(4 * r.t.length);
    for (const [i, x] of r.t.entries()) t.writeUInt32LE(x, 4 * i);
    const v = Buffer.alloc(8 * r.v.length);
    for (const [i, x] of r.v.entries()) v.writeDoubleLE(x, 8 * i);
    parts.push(key, leb128(r.t.length), t, leb128(r.v.length), v);
    if (r.json !== undefined) parts.push(leb128(Buffer.byteLength(r.json)), Buffer.from(r.json));
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

  it('with json: the text as it is, and times and values rebuilt from it exactly when read', () => {
    const u32 = (xs: number[]) => {
      const b = Buffer.alloc(4 * xs.length);
      for (const [i, x] of xs.entries()) b.writeUInt32LE(x, 4 * i);
      return b;
    };
    const f64 = (xs: number[]) => {
      const b = Buffer.alloc(8 * xs.length);
      for (const [i, x] of xs.entries()) b.writeDoubleLE(x, 8 * i);
      return b;
    };
    const row = (key: bigint, t: number[], v: number[]) => {
      const text = Buffer.from(JSON.stringify(t.map((x, i) => [x, v[i]])).slice(1, -1));
      // ClickHouse's exceptions: 1-based positions of the values the text cannot tell (non-finite, -0).
      const odd = v.flatMap((x, i) => (!Number.isFinite(x) || Object.is(x, -0) ? [i + 1] : []));
      const k = Buffer.alloc(8);
      k.writeBigUInt64LE(key);
      return Buffer.concat([
        k,
        leb128(text.length),
        text,
        leb128(odd.length),
        u32(odd),
        leb128(odd.length),
        f64(odd.map((i) => v[i - 1] as number)),
      ]);
    };
    const long = Array.from({ length: 300 }, (_, i) => i * 60);
    const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e21, 1e-7, 0.1 + 0.2];
    const rows = [
      { key: 3n, t: special.map((_, i) => 1_700_000_000 + i), v: special },
      { key: 2n ** 64n - 1n, t: long, v: long.map((x) => x / 7) },
      { key: 5n, t: [], v: [] },
    ];
    const got = decodeRangeRows(Buffer.concat(rows.map((r) => row(r.key, r.t, r.v))), { json: true });
    const exact = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Object.is(x, -0) ? '-0' : x));
    expect(got.map((r) => ({ key: r.key, t: [...r.t], v: exact(r.values) }))).toEqual(
      rows.map((r) => ({ key: r.key, t: r.t, v: exact(r.v) })),
    );
    expect(got.map((r) => Buffer.from(r.json ?? []).toString())).toEqual(
      rows.map((r) => JSON.stringify(r.t.map((x, i) => [x, r.v[i]])).slice(1, -1)),
    );
    expect(() => decodeRangeRows(row(1n, [1, 2], [Number.NaN, 2]).subarray(0, 20), { json: true })).toThrow(RangeError);
  });

  it('refuses truncated input instead of reading past it', () => {
    const full = encode([{ key: 1n, t: [10, 20], v: [1, 2] }]);
    for (const cut of [4, 9, 12, full.length - 1]) {
      expect(() => decodeRangeRows(full.subarray(0, cut)), `cut at ${cut}`).toThrow(RangeError);
    }
  });
});
