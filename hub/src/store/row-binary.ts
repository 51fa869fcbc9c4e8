import type { SampleBlock } from './metrics-store.ts';

const TWO_POW_32 = 2 ** 32;

/**
 * Encodes points as ClickHouse RowBinary rows of `(tenant String, cluster String, series_id
 * UInt64, ts DateTime64(3), value Float64)`, the body of an insert into a ClickHouse server.
 * (chDB reads a Native block from a spool file instead, native-block.ts.)
 */
export function encodeSamplesRowBinary(tenant: string, cluster: string, block: SampleBlock): Buffer {
  const prefix = Buffer.concat([encodeString(tenant), encodeString(cluster)]);
  const rowSize = prefix.length + 24;
  const out = Buffer.allocUnsafe(rowSize * block.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let o = 0;
  for (let i = 0; i < block.length; i++) {
    prefix.copy(out, o);
    o += prefix.length;
    view.setUint32(o, block.seriesLo[i] as number, true);
    view.setUint32(o + 4, block.seriesHi[i] as number, true);
    const ts = block.timestampsMs[i] as number;
    const hi = Math.floor(ts / TWO_POW_32);
    view.setUint32(o + 8, ts - hi * TWO_POW_32, true);
    view.setInt32(o + 12, hi, true);
    view.setFloat64(o + 16, block.values[i] as number, true);
    o += 24;
  }
  return out;
}

function encodeString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len: number[] = [];
  let n = bytes.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from(len), bytes]);
}
