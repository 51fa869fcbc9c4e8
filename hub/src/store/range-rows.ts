import { endianness } from 'node:os';

/**
 * The answer of a range query as ClickHouse sends it: one row per series (or group) with its
 * step times and values as two arrays, in RowBinary. RowBinary because formatting 200,000
 * doubles as JSON text and parsing them back cost more than the query itself (measured on
 * the 7-day, 100-series bench query: JSONCompactEachRow 163–183 ms, RowBinary 115–138 ms).
 *
 * For an API that answers JSON, a row instead carries its points as JSON text, formatted by
 * ClickHouse: writing 200,000 doubles as text in JS (V8's shortest round-trip formatting,
 * ~150 ns a number) was the largest cost of the bench query left in the hub. ClickHouse
 * formats floats with the same shortest round-trip digits as JS; the text differs only where
 * JSON.stringify has its own spelling, fixed in the SQL: NaN and ±Infinity are `null`, -0 is
 * `0`, and a positive exponent has a `+` (`1e+21`). Measured on 2,000,000 doubles (random bit
 * patterns, decimals, every magnitude): no other difference.
 *
 * The arrays are then not sent (2.4 MB of the 8.7 MB bench answer, which the hub copies out
 * of the engine and then has to collect): the text holds every time and value exactly, except
 * the values it spells `null` or `0`. Those few come as exceptions (position and value), and
 * `t` and `values` are rebuilt from text and exceptions only if somebody reads them.
 */
export interface RangeSeriesRows {
  key: bigint;
  /** Step starts, unix seconds, ascending. */
  t: Uint32Array;
  values: Float64Array;
  /** `[t,v],[t,v]…` as JSON.stringify writes the pairs, when asked for (a view into the result). */
  json?: Uint8Array;
}

/** A double as JSON.stringify writes it (see above); `x` is a Float64 expression. */
function jsonNumber(x: string): string {
  return `multiIf(NOT isFinite(${x}), 'null', ${x} = 0, '0', abs(${x}) >= 1e21, replaceRegexpOne(toString(${x}), 'e(\\\\d)', 'e+\\\\1'), toString(${x}))`;
}

/**
 * A value the text spells `null` or `0` but that is not 0: non-finite, or -0. (The lambdas
 * take the values as an argument: a lambda capturing an array copies it for every element.)
 */
const ODD = 'NOT isFinite(v) OR (v = 0 AND 1 / v < 0)';

/**
 * Wraps a query returning `(key, t, v)` rows into the shape {@link decodeRangeRows} reads:
 * `(key, ts, vs)`, or with `json` `(key, json, exception positions, exception values)`.
 */
export function rangeRowsSql(inner: string, o: { json?: boolean } = {}): string {
  const columns = o.json
    ? `arrayStringConcat(arrayMap(x -> concat('[', toString(x.1), ',', ${jsonNumber('x.2')}, ']'), s), ',') AS json,
  arrayFilter((i, v) -> ${ODD}, arrayEnumerate(s), arrayMap(x -> x.2, s) AS vs) AS odd,
  arrayFilter(v -> ${ODD}, vs) AS odd_values`
    : 'arrayMap(x -> x.1, s) AS ts, arrayMap(x -> x.2, s) AS vs';
  return `SELECT toUInt64(key) AS key, ${columns}
FROM (SELECT key, arraySort(x -> x.1, groupArray((toUInt32(t), toFloat64(ifNull(v, nan))))) AS s FROM (${inner}) GROUP BY key)
ORDER BY key
FORMAT RowBinary`;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Decodes the rows of {@link rangeRowsSql} (RowBinary), with or without `json`. */
export function decodeRangeRows(buf: Uint8Array, o: { json?: boolean } = {}): RangeSeriesRows[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: RangeSeriesRows[] = [];
  let at = 0;
  const length = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (at >= buf.length) throw new RangeError('range rows: truncated array length');
      const b = buf[at++] as number;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (at < buf.length) {
    if (at + 8 > buf.length) throw new RangeError('range rows: truncated key');
    const key = view.getBigUint64(at, true);
    at += 8;
    if (o.json) {
      const nj = length();
      if (at + nj > buf.length) throw new RangeError('range rows: truncated JSON text');
      const json = buf.subarray(at, at + nj);
      at += nj;
      const no = length();
      if (at + no * 4 > buf.length) throw new RangeError('range rows: truncated exceptions');
      const positions = readUint32s(buf, at, no);
      at += no * 4;
      if (length() !== no || at + no * 8 > buf.length) throw new RangeError('range rows: exception values do not match positions');
      const values = readFloat64s(buf, at, no);
      at += no * 8;
      out.push(new TextRow(key, json, positions, values));
      continue;
    }
    const n = length();
    if (at + n * 4 > buf.length) throw new RangeError('range rows: truncated times');
    const t = readUint32s(buf, at, n);
    at += n * 4;
    if (length() !== n || at + n * 8 > buf.length) throw new RangeError('range rows: values do not match times');
    out.push({ key, t, values: readFloat64s(buf, at, n) });
    at += n * 8;
  }
  return out;
}

/** A row answered as text: `t` and `values` are parsed from it when first read. */
class TextRow implements RangeSeriesRows {
  private parsed: { t: Uint32Array; values: Float64Array } | null = null;

  constructor(
    readonly key: bigint,
    readonly json: Uint8Array,
    /** 1-based positions of the values the text spells `null` or `0` for something else. */
    private readonly oddAt: Uint32Array,
    private readonly oddValues: Float64Array,
  ) {}

  get t(): Uint32Array {
    return this.parse().t;
  }

  get values(): Float64Array {
    return this.parse().values;
  }

  private parse(): { t: Uint32Array; values: Float64Array } {
    if (this.parsed) return this.parsed;
    const pairs = JSON.parse(`[${Buffer.from(this.json.buffer, this.json.byteOffset, this.json.length).toString('utf8')}]`) as Array<
      [number, number | null]
    >;
    const t = Uint32Array.from(pairs, (p) => p[0]);
    const values = Float64Array.from(pairs, (p) => p[1] ?? Number.NaN);
    for (let i = 0; i < this.oddAt.length; i++) values[(this.oddAt[i] as number) - 1] = this.oddValues[i] as number;
    this.parsed = { t, values };
    return this.parsed;
  }
}

function readUint32s(buf: Uint8Array, at: number, n: number): Uint32Array {
  // One copy into an aligned buffer instead of a DataView read per element.
  if (LITTLE_ENDIAN) return new Uint32Array(copyOut(buf, at, n * 4));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return Uint32Array.from({ length: n }, (_, i) => view.getUint32(at + i * 4, true));
}

function readFloat64s(buf: Uint8Array, at: number, n: number): Float64Array {
  if (LITTLE_ENDIAN) return new Float64Array(copyOut(buf, at, n * 8));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + i * 8, true));
}

function copyOut(buf: Uint8Array, from: number, bytes: number): ArrayBuffer {
  const start = buf.byteOffset + from;
  return (buf.buffer as ArrayBuffer).slice(start, start + bytes);
}
