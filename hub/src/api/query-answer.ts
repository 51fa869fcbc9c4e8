/**
 * The range-query answer and its JSON. The document is written by hand, straight from the
 * store's columnar arrays: `JSON.stringify` of `points` as 200,000 `[t, v]` arrays (the 7-day,
 * 100-series bench query) cost more than the query itself, and building those arrays first
 * cost as much again. The bytes are exactly what `JSON.stringify` gives for the same answer
 * with `points: [[t, v], …]` (hub/src/api/query-answer.test.ts holds that).
 */

/** One series (or group) of an answer, columnar: `t[i]` (unix seconds) goes with `values[i]`. */
export interface AnswerSeries {
  labels: Record<string, string>;
  t: ArrayLike<number>;
  values: ArrayLike<number>;
}

const EMPTY = new Float64Array(0);

/** A series with no points in the range. */
export function emptySeries(labels: Record<string, string>): AnswerSeries {
  return { labels, t: EMPTY, values: EMPTY };
}

const COMMA = 0x2c;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
/** Bytes a point may take beyond its value: `,[` + t + `,` + `]`; a time is at most 24 characters. */
const POINT_OVERHEAD = 30;

/**
 * `JSON.stringify({ ...head, series: series.map((s) => ({ labels: s.labels, points: [[t, v], …] })) })`
 * as UTF-8 bytes, where a non-finite time or value is `null` as `JSON.stringify` writes it.
 */
export function answerJson(head: Record<string, unknown>, series: AnswerSeries[]): Buffer {
  const w = new ByteWriter(estimate(series));
  const start = JSON.stringify(head);
  w.text(start.length > 2 ? `${start.slice(0, -1)},"series":[` : '{"series":[');
  for (let k = 0; k < series.length; k++) {
    const s = series[k] as AnswerSeries;
    w.text(`${k > 0 ? ',' : ''}{"labels":${JSON.stringify(s.labels)},"points":[`);
    const n = Math.min(s.t.length, s.values.length);
    if (n > 0) {
      // One JSON.stringify of the values does their formatting and `null`s natively; its
      // numbers are then copied out one by one (a number's text holds no `,` or `]`).
      const vs = JSON.stringify(Array.from(s.values));
      const vsLength = vs.length;
      let j = 1;
      for (let i = 0; i < n; i++) {
        w.ensure(POINT_OVERHEAD + vsLength - j);
        const buf = w.buf;
        let o = w.at;
        if (i > 0) buf[o++] = COMMA;
        buf[o++] = OPEN;
        const t = s.t[i] as number;
        const ts = Number.isFinite(t) ? `${t}` : 'null';
        for (let c = 0; c < ts.length; c++) buf[o++] = ts.charCodeAt(c);
        buf[o++] = COMMA;
        for (let c = vs.charCodeAt(j); c !== COMMA && c !== CLOSE; c = vs.charCodeAt(++j)) buf[o++] = c;
        j++;
        buf[o++] = CLOSE;
        w.at = o;
      }
    }
    w.text(']}');
  }
  w.text(']}');
  return w.done();
}

/** Close to the final size for the usual answer (times of 10 digits, values of up to 17). */
function estimate(series: AnswerSeries[]): number {
  let points = 0;
  for (const s of series) points += s.t.length;
  return 1024 + series.length * 256 + points * 32;
}

/** A growable byte buffer; the point loop writes `buf` directly after `ensure`. */
class ByteWriter {
  buf: Buffer;
  at = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  ensure(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  text(s: string): void {
    this.ensure(Buffer.byteLength(s));
    this.at += this.buf.write(s, this.at);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}
