import type { SamplePart } from './metrics-store.ts';

/** Columns of {@link encodeSamplesNative}'s block, as `file(…, 'Native', structure)` names them. */
export const SAMPLE_NATIVE_STRUCTURE =
  'tenant LowCardinality(String), cluster LowCardinality(String), series_id UInt64, ts DateTime64(3), value Float64';

/**
 * Encodes points as one block of ClickHouse's Native format: column after column, so the
 * numbers are copied as arrays rather than written row by row, and tenant and cluster are
 * LowCardinality columns (a dictionary and one small index a row) instead of a string a row.
 *
 * Measured on 1M bench-shaped points (chDB, `INSERT … SELECT * FROM file(…)` into a Null
 * table, CPU): RowBinary with the strings 108–149 ms, this block 13 ms; building it in JS
 * 15–50 ms against 45–100 ms for the RowBinary rows and their concatenation.
 *
 * Layout (what ClickHouse itself writes for these types, pinned by native-block.test.ts):
 *   VarUInt columns, VarUInt rows, then per column: String name, String type, data.
 *   UInt64, DateTime64(3) (Int64 ms), Float64: little-endian arrays.
 *   LowCardinality(String): UInt64 version 1 (shared dictionaries with additional keys),
 *   UInt64 index type | HasAdditionalKeys (1 << 9) | NeedUpdateDictionary (1 << 10),
 *   UInt64 key count, the keys as Strings (the default '' first), UInt64 row count, indexes.
 */
export function encodeSamplesNative(parts: readonly SamplePart[]): Buffer {
  let rows = 0;
  for (const p of parts) rows += p.block.length;
  // ClickHouse takes a file holding an empty block for no input at all and refuses it.
  if (rows === 0) throw new RangeError('native block: no rows to encode');
  const tenants = new Dictionary();
  const clusters = new Dictionary();
  const tenantOf = parts.map((p) => tenants.index(p.tenant));
  const clusterOf = parts.map((p) => clusters.index(p.cluster));

  const head = Buffer.concat([varUInt(5), varUInt(rows)]);
  const tenantHead = lowCardinalityHead('tenant', tenants, rows);
  const clusterHead = lowCardinalityHead('cluster', clusters, rows);
  const seriesHead = columnHead('series_id', 'UInt64');
  const tsHead = columnHead('ts', 'DateTime64(3)');
  const valueHead = columnHead('value', 'Float64');
  const size =
    head.length +
    tenantHead.length +
    rows * tenants.width +
    clusterHead.length +
    rows * clusters.width +
    seriesHead.length +
    tsHead.length +
    valueHead.length +
    rows * 24;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const put = (b: Uint8Array) => {
    out.set(b, at);
    at += b.length;
  };
  put(head);

  put(tenantHead);
  at = writeIndexes(out, at, parts, tenantOf, tenants.width);
  put(clusterHead);
  at = writeIndexes(out, at, parts, clusterOf, clusters.width);

  // 64-bit columns are filled as 32-bit halves in an aligned array, then copied in.
  const halves = new Uint32Array(rows * 2);
  let row = 0;
  for (const { block } of parts) {
    const { seriesLo, seriesHi } = block;
    for (let i = 0; i < block.length; i++, row++) {
      halves[2 * row] = seriesLo[i] as number;
      halves[2 * row + 1] = seriesHi[i] as number;
    }
  }
  put(seriesHead);
  put(new Uint8Array(halves.buffer));

  row = 0;
  for (const { block } of parts) {
    const ts = block.timestampsMs;
    for (let i = 0; i < block.length; i++, row++) {
      const ms = ts[i] as number;
      const hi = Math.floor(ms / TWO_POW_32);
      // Uint32Array stores hi modulo 2^32: two's complement for times before 1970.
      halves[2 * row] = ms - hi * TWO_POW_32;
      halves[2 * row + 1] = hi;
    }
  }
  put(tsHead);
  put(new Uint8Array(halves.buffer));

  put(valueHead);
  for (const { block } of parts) {
    const v = block.values;
    if (isLittleEndian) put(new Uint8Array(v.buffer, v.byteOffset, block.length * 8));
    else for (let i = 0; i < block.length; i++, at += 8) out.writeDoubleLE(v[i] as number, at);
  }
  if (at !== size) throw new Error(`native block: wrote ${at} bytes of ${size}`);
  return out;
}

const TWO_POW_32 = 2 ** 32;
const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Distinct strings in first-seen order, after the default '' every LowCardinality dictionary starts with. */
class Dictionary {
  readonly keys: string[] = [''];
  private readonly positions = new Map<string, number>([['', 0]]);

  index(key: string): number {
    let i = this.positions.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(key);
      this.positions.set(key, i);
    }
    return i;
  }

  /** Bytes of one index: the smallest of UInt8, UInt16, UInt32 that holds every position. */
  get width(): 1 | 2 | 4 {
    return this.keys.length <= 0x100 ? 1 : this.keys.length <= 0x10000 ? 2 : 4;
  }
}

const INDEX_TYPE: Record<1 | 2 | 4, number> = { 1: 0, 2: 1, 4: 2 };
const HAS_ADDITIONAL_KEYS = 1 << 9;
const NEED_UPDATE_DICTIONARY = 1 << 10;

function lowCardinalityHead(name: string, dictionary: Dictionary, rows: number): Buffer {
  return Buffer.concat([
    columnHead(name, 'LowCardinality(String)'),
    uint64(1),
    uint64(INDEX_TYPE[dictionary.width] | HAS_ADDITIONAL_KEYS | NEED_UPDATE_DICTIONARY),
    uint64(dictionary.keys.length),
    ...dictionary.keys.map(string),
    uint64(rows),
  ]);
}

function writeIndexes(out: Buffer, at: number, parts: readonly SamplePart[], indexOf: number[], width: 1 | 2 | 4): number {
  let o = at;
  for (const [k, p] of parts.entries()) {
    const n = p.block.length;
    const index = indexOf[k] as number;
    if (width === 1) out.fill(index, o, o + n);
    else for (let i = 0; i < n; i++) width === 2 ? out.writeUInt16LE(index, o + 2 * i) : out.writeUInt32LE(index, o + 4 * i);
    o += n * width;
  }
  return o;
}

function columnHead(name: string, type: string): Buffer {
  return Buffer.concat([string(name), string(type)]);
}

function string(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([varUInt(bytes.length), bytes]);
}

function varUInt(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 0x80;
    v = Math.floor(v / 0x80);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Buffer.from(out);
}

function uint64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(value % TWO_POW_32, 0);
  b.writeUInt32LE(Math.floor(value / TWO_POW_32), 4);
  return b;
}
