/**
 * The range-query answer and its JSON. The document is written by hand, straight from the
 * store's columnar arrays: `JSON.stringify` of `points` as 200,000 `[t, v]` arrays (the 7-day,
 * 100-series bench query) cost more than the query itself, and building those arrays first
 * cost as much again. The bytes are exactly what `JSON.stringify` gives for the same answer
 * with `points: [[t, v], …]` (hub/src/api/query-answer.test.ts holds that). A store that
 * formats the points itself hands them over as text, which is passed on as it is (the bench
 * query's answer then costs well under a millisecond instead of ~60).
 */

/** One series (or group) of an answer, columnar: `t[i]` (unix seconds) goes with `values[i]`. */
export interface AnswerSeries {
  labels: Record<string, string>;
  t: ArrayLike<number>;
  values: ArrayLike<number>;
  /** The points already as JSON text (`[t,v],…`, see RangeSeries.pointsJson): used as they are; `t` and `values` are then not read. */
  pointsJson?: Uint8Array;
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
  return Buffer.concat(answerJsonChunks(head, series));
}

/**
 * {@link answerJson} as consecutive pieces, for sending without joining them: points the
 * store gave as text go out as views of it (no copy), everything else is written as above.
 */
export function answerJsonChunks(head: Record<string, unknown>, series: AnswerSeries[]): Buffer[] {
  const w = new ByteWriter(estimate(series));
  const start = JSON.stringify(head);
  w.text(start.length > 2 ? `${start.slice(0, -1)},"series":[` : '{"series":[');
  for (let k = 0; k < series.length; k++) {
    const s = series[k] as AnswerSeries;
    w.text(`${k > 0 ? ',' : ''}{"labels":${JSON.stringify(s.labels)},"points":[`);
    if (s.pointsJson) {
      w.bytes(s.pointsJson);
      w.text(']}');
      continue;
    }
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

/** Texts at least this long are passed on as views instead of copied. */
const VIEW_BYTES = 4096;

/** Close to the final size for the usual answer (times of 10 digits, values of up to 17). */
function estimate(series: AnswerSeries[]): number {
  let points = 0;
  let text = 0;
  for (const s of series) {
    if (!s.pointsJson) points += s.t.length;
    else if (s.pointsJson.length < VIEW_BYTES) text += s.pointsJson.length;
  }
  return 1024 + series.length * 256 + points * 32 + text;
}

/** A growable byte buffer; the point loop writes `buf` directly after `ensure`. Large texts become chunks of their own. */
class ByteWriter {
  buf: Buffer;
  at = 0;
  private readonly chunks: Buffer[] = [];

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  ensure(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + bytes, 4096));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  bytes(b: Uint8Array): void {
    if (b.length >= VIEW_BYTES) {
      // The rest of the buffer stays in use for what follows.
      if (this.at > 0) this.chunks.push(this.buf.subarray(0, this.at));
      this.buf = this.buf.subarray(this.at);
      this.at = 0;
      this.chunks.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      return;
    }
    this.ensure(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  text(s: string): void {
    this.ensure(Buffer.byteLength(s));
    this.at += this.buf.write(s, this.at);
  }

  done(): Buffer[] {
    if (this.at > 0 || this.chunks.length === 0) this.chunks.push(this.buf.subarray(0, this.at));
    return this.chunks;
  }
}
