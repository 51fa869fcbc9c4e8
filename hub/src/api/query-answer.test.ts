import { describe, expect, it } from 'vitest';
import { type AnswerSeries, answerJson, answerJsonChunks, emptySeries } from './query-answer.ts';

/** What the route used to send: fastify's JSON.stringify of the answer with `[t, v]` points. */
function reference(head: Record<string, unknown>, series: AnswerSeries[]): string {
  return JSON.stringify({
    ...head,
    series: series.map((s) => ({ labels: s.labels, points: Array.from(s.t, (t, i) => [t, s.values[i]]) })),
  });
}

const HEAD = { metric: 'm', resolution: 'raw', step: 60, aggregation: 'avg', by: ['a"b'], start: 1736510400.5, end: 1736514000 };

function expectSame(head: Record<string, unknown>, series: AnswerSeries[]) {
  const bytes = answerJson(head, series);
  const expected = reference(head, series);
  expect(bytes.toString('utf8')).toBe(expected);
  expect(bytes.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  expect(Buffer.concat(answerJsonChunks(head, series)).equals(bytes)).toBe(true);
}

describe('answerJson', () => {
  it('non-finite values are null; -0, exponents and extremes as JSON.stringify writes them', () => {
    const values = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      1e21,
      1e-7,
      -2.2250738585072014e-308,
      -Number.MIN_VALUE * 123_456_789,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      66.11733515042191,
      -5,
      2 ** 53 + 2,
      0.1 + 0.2,
    ];
    const t = values.map((_, i) => 1_794_811_800 + i * 300);
    expectSame(HEAD, [{ labels: { node: 'n1' }, t: Uint32Array.from(t), values: Float64Array.from(values) }]);
    // Plain arrays, and a NaN at either end of a series.
    expectSame(HEAD, [{ labels: {}, t: [0, 1, 2], values: [Number.NaN, 1, Number.NaN] }]);
    expectSame(HEAD, [{ labels: {}, t: [4_294_967_295], values: [Number.NaN] }]);
  });

  it('labels with quotes, backslashes, control characters and unicode are escaped as JSON.stringify does', () => {
    const labels = {
      quote: 'say "hi"',
      backslash: 'C:\\dir\\',
      control: 'tab\there\nnew\r\u0000\u001f\u007f',
      unicode: 'é ’ 中 😀',
      lone: 'half \ud83d surrogate \udc00',
      'key "with" \\ odd \u2028': 'v',
      '': '',
    };
    expectSame(HEAD, [{ labels, t: [1, 2], values: [1.5, -2.5] }, emptySeries({ node: '"' })]);
  });

  it('empty series, no series, and an empty head', () => {
    expectSame(HEAD, []);
    expectSame(HEAD, [emptySeries({}), emptySeries({ a: 'b' })]);
    expectSame(HEAD, [emptySeries({ a: '1' }), { labels: { a: '2' }, t: [5], values: [6] }, emptySeries({ a: '3' })]);
    expectSame({}, [{ labels: {}, t: [1], values: [2] }]);
    expectSame({}, []);
  });

  it('a large answer that outgrows the first buffer', () => {
    const n = 5_000;
    // Long values (17 digits, exponents) take more than the estimate per point.
    const values = Float64Array.from({ length: n }, (_, i) => -(i + 1) * 1.2345678901234568e-300);
    const series = Array.from({ length: 3 }, (_, k) => ({
      labels: { k: String(k) },
      t: Float64Array.from({ length: n }, (_, i) => 1e15 + i * 0.5),
      values,
    }));
    expectSame(HEAD, series);
  });

  it('points the store gave as JSON text are copied as they are, next to series without', () => {
    const pairs = (t: number[], v: number[]) => Buffer.from(JSON.stringify(t.map((x, i) => [x, v[i]])).slice(1, -1));
    const text = {
      labels: { a: '1' },
      t: [1, 2, 3],
      values: [0.5, Number.NaN, 1e21],
      pointsJson: pairs([1, 2, 3], [0.5, Number.NaN, 1e21]),
    };
    expectSame(HEAD, [text, { labels: { a: '2' }, t: [4], values: [-0] }, emptySeries({ a: '3' }), text]);
    // Large texts outgrow the first buffer too.
    const t = Array.from({ length: 20_000 }, (_, i) => 1_794_811_800 + i);
    const v = t.map((_, i) => -(i + 1) * 1.2345678901234568e-300);
    expectSame(HEAD, [{ labels: {}, t, values: v, pointsJson: pairs(t, v) }]);
    // Large texts are passed on as views of the store's buffer, not copied; t and values are not read.
    const big = pairs(t, v);
    const untouched = {
      labels: {},
      pointsJson: big,
      get t(): number[] {
        throw new Error('t read');
      },
      get values(): number[] {
        throw new Error('values read');
      },
    };
    const chunks = answerJsonChunks(HEAD, [untouched, untouched]);
    expect(chunks.filter((c) => c.buffer === big.buffer && c.byteOffset === big.byteOffset && c.length === big.length)).toHaveLength(2);
  });

  it('2016 points a series, as in the 7-day bench query', () => {
    const t = Uint32Array.from({ length: 2016 }, (_, i) => 1_794_811_800 + i * 300);
    const series = Array.from({ length: 20 }, (_, k) => ({
      labels: { i: String(k), node: `q-node-${k}`, cluster: 'bench' },
      t,
      values: Float64Array.from(t, (_, i) => 50 + 20 * Math.sin(i / 50 + k) + Math.random()),
    }));
    expectSame(HEAD, series);
  });
});
