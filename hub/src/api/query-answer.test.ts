import { describe, expect, it } from 'vitest';
import { type AnswerSeries, answerJson, emptySeries } from './query-answer.ts';

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
