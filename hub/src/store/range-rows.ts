/**
 * The answer of a range query as ClickHouse sends it: one row per series (or group) with its
 * step times and values as two arrays, in RowBinary. RowBinary because formatting 200,000
 * doubles as JSON text and parsing them back cost more than the query itself (measured on
 * the 7-day, 100-series bench query: JSONCompactEachRow 163–183 ms, RowBinary 115–138 ms).
 */
export interface RangeSeriesRows {
  key: bigint;
  /** Step starts, unix seconds, ascending. */
  t: Uint32Array;
  values: Float64Array;
}

/** Wraps a query returning `(key, t, v)` rows into the shape {@link decodeRangeRows} reads. */
export function rangeRowsSql(inner: string): string {
  return `SELECT toUInt64(key) AS key, arrayMap(x -> x.1, s) AS ts, arrayMap(x -> x.2, s) AS vs
FROM (SELECT key, arraySort(x -> x.1, groupArray((toUInt32(t), toFloat64(ifNull(v, nan))))) AS s FROM (${inner}) GROUP BY key)
ORDER BY key
FORMAT RowBinary`;
}

/** Decodes RowBinary rows of `(key UInt64, ts Array(UInt32), vs Array(Float64))`. */
export function decodeRangeRows(buf: Uint8Array): RangeSeriesRows[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: RangeSeriesRows[] = [];
  let o = 0;
  const length = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (o >= buf.length) throw new RangeError('range rows: truncated array length');
      const b = buf[o++] as number;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (o < buf.length) {
    if (o + 8 > buf.length) throw new RangeError('range rows: truncated key');
    const key = view.getBigUint64(o, true);
    o += 8;
    const nt = length();
    if (o + nt * 4 > buf.length) throw new RangeError('range rows: truncated times');
    const t = new Uint32Array(nt);
    for (let i = 0; i < nt; i++, o += 4) t[i] = view.getUint32(o, true);
    const nv = length();
    if (nv !== nt || o + nv * 8 > buf.length) throw new RangeError('range rows: values do not match times');
    const values = new Float64Array(nv);
    for (let i = 0; i < nv; i++, o += 8) values[i] = view.getFloat64(o, true);
    out.push({ key, t, values });
  }
  return out;
}
