import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { MAX_POINTS_PER_SERIES, parseMetricsQuery } from './metrics-query-params.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');

function apiError(query: Record<string, unknown>): ApiError {
  try {
    parseMetricsQuery(query, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected an ApiError');
}

function expectBadParameter(query: Record<string, unknown>, parameter: string, message?: RegExp): void {
  const e = apiError(query);
  expect(e.code).toBe('BAD_PARAMETER');
  expect(e.status).toBe(400);
  expect(e.parameter).toBe(parameter);
  expect(e.message.startsWith(`${parameter}: `)).toBe(true);
  expect(e.toBody()).toEqual({ error: { code: 'BAD_PARAMETER', message: e.message, parameter } });
  if (message) expect(e.message).toMatch(message);
}

describe('parseMetricsQuery', () => {
  it('defaults: last hour ending now, auto step, avg, no matchers', () => {
    expect(parseMetricsQuery({ metric: 'node_load1' }, NOW)).toEqual({
      metric: 'node_load1',
      matchers: [],
      startMs: NOW - 3_600_000,
      endMs: NOW,
      stepSeconds: 14, // 3600 s / 250 = 14.4
      aggregation: 'avg',
      by: [],
      resolution: 'auto',
      format: undefined,
    });
  });

  it('parses unix seconds (with fractions) and RFC 3339 times', () => {
    const q = parseMetricsQuery({ metric: 'm', start: '1735732800.25', end: '2025-01-01T13:00:00.500Z' }, NOW);
    expect(q.startMs).toBe(1_735_732_800_250);
    expect(q.endMs).toBe(Date.parse('2025-01-01T13:00:00.500Z'));
    const offset = parseMetricsQuery({ metric: 'm', start: '2025-01-01T10:00:00+02:00', end: '1735732800' }, NOW);
    expect(offset.startMs).toBe(Date.parse('2025-01-01T08:00:00Z'));
    expect(offset.endMs).toBe(1_735_732_800_000);
  });

  it('start defaults to one hour before an explicit end', () => {
    const q = parseMetricsQuery({ metric: 'm', end: '1735732800' }, NOW);
    expect(q.startMs).toBe(1_735_732_800_000 - 3_600_000);
  });

  it('auto step gives ~250 points, is at least 1 s, and whole minutes or hours when that long', () => {
    expect(parseMetricsQuery({ metric: 'm', start: '0', end: '86400' }, NOW).stepSeconds).toBe(360); // 345.6 s → 6 min
    expect(parseMetricsQuery({ metric: 'm', start: '0', end: String(30 * 86400) }, NOW).stepSeconds).toBe(3 * 3600); // 2.88 h → 3 h
    expect(parseMetricsQuery({ metric: 'm', start: '0', end: '3600' }, NOW).stepSeconds).toBe(14);
    expect(parseMetricsQuery({ metric: 'm', start: '100', end: '110' }, NOW).stepSeconds).toBe(1);
  });

  it.each([
    ['15', 15],
    ['15s', 15],
    ['2m', 120],
    ['1h', 3600],
    ['1d', 86_400],
  ])('step %s is %i seconds', (step, seconds) => {
    expect(parseMetricsQuery({ metric: 'm', step }, NOW).stepSeconds).toBe(seconds);
  });

  it('collects match[label] as equality matchers, in order', () => {
    const q = parseMetricsQuery({ metric: 'm', 'match[mode]': 'idle', 'match[node]': 'n1', agg: 'max' }, NOW);
    expect(q.matchers).toEqual([
      { label: 'mode', op: '=', value: 'idle' },
      { label: 'node', op: '=', value: 'n1' },
    ]);
    expect(q.aggregation).toBe('max');
  });

  it.each(['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99', 'last', 'rate'])('accepts agg=%s', (agg) => {
    expect(parseMetricsQuery({ metric: 'm', agg }, NOW).aggregation).toBe(agg);
  });

  it('missing or empty metric names metric', () => {
    expectBadParameter({}, 'metric', /required/);
    expectBadParameter({ metric: '' }, 'metric', /required/);
  });

  it('bad metric name names metric', () => {
    expectBadParameter({ metric: '1abc' }, 'metric', /"1abc" is not a valid metric name/);
    expectBadParameter({ metric: 'a-b' }, 'metric');
  });

  it('metric given twice names metric', () => {
    expectBadParameter({ metric: ['a', 'b'] }, 'metric', /once/);
  });

  it('bad label name in match[...] names the match parameter', () => {
    expectBadParameter({ metric: 'm', 'match[1bad]': 'x' }, 'match[1bad]', /"1bad" is not a valid label name/);
    expectBadParameter({ metric: 'm', 'match[]': 'x' }, 'match[]');
    expectBadParameter({ metric: 'm', 'match[a.b]': 'x' }, 'match[a.b]');
  });

  it('a match[...] given twice names it', () => {
    expectBadParameter({ metric: 'm', 'match[mode]': ['a', 'b'] }, 'match[mode]', /one value/);
  });

  it('unknown parameter names it', () => {
    expectBadParameter({ metric: 'm', limit: '5' }, 'limit', /unknown parameter/);
    expectBadParameter({ metric: 'm', 'match[a]x': '5' }, 'match[a]x', /unknown parameter/);
  });

  it('bad times name start or end', () => {
    expectBadParameter({ metric: 'm', start: 'yesterday' }, 'start', /"yesterday" is neither unix seconds nor an RFC 3339 time/);
    expectBadParameter({ metric: 'm', end: '2025-13-45T99:00:00Z' }, 'end');
    expectBadParameter({ metric: 'm', end: '-5' }, 'end');
  });

  it('start >= end names start', () => {
    expectBadParameter({ metric: 'm', start: '200', end: '100' }, 'start', /must be before end/);
    expectBadParameter({ metric: 'm', start: '100', end: '100' }, 'start', /must be before end/);
  });

  it('step 0, abc, negative or with an unknown unit names step', () => {
    expectBadParameter({ metric: 'm', step: '0' }, 'step', /at least 1s/);
    expectBadParameter({ metric: 'm', step: '0m' }, 'step', /at least 1s/);
    expectBadParameter({ metric: 'm', step: 'abc' }, 'step', /"abc" is not a duration/);
    expectBadParameter({ metric: 'm', step: '-5' }, 'step');
    expectBadParameter({ metric: 'm', step: '5w' }, 'step');
    expectBadParameter({ metric: 'm', step: '1.5s' }, 'step');
  });

  it('unknown agg names agg', () => {
    expectBadParameter(
      { metric: 'm', agg: 'median' },
      'agg',
      /"median" is not one of avg, min, max, sum, count, p50, p95, p99, last, rate/,
    );
  });

  it('too many points is LIMIT_EXCEEDED (422) naming step', () => {
    const e = apiError({ metric: 'm', start: '0', end: String(MAX_POINTS_PER_SERIES + 1), step: '1' });
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.status).toBe(422);
    expect(e.parameter).toBe('step');
    expect(e.message).toContain(String(MAX_POINTS_PER_SERIES));
  });

  it('exactly the point limit is allowed', () => {
    const q = parseMetricsQuery({ metric: 'm', start: '0', end: String(MAX_POINTS_PER_SERIES), step: '1' }, NOW);
    expect(q.stepSeconds).toBe(1);
  });

  it('match[] selectors add matchers of every operator; the shorthand adds equality; all combine', () => {
    const q = parseMetricsQuery({ metric: 'm', 'match[]': ['{node="a",mode=~"user|system"}', "{cluster!='x'}"], 'match[pod]': 'p1' }, NOW);
    expect(q.matchers).toEqual([
      { label: 'node', op: '=', value: 'a' },
      { label: 'mode', op: '=~', value: 'user|system' },
      { label: 'cluster', op: '!=', value: 'x' },
      { label: 'pod', op: '=', value: 'p1' },
    ]);
  });

  it('a selector may carry the metric name instead of metric=, but not a different one', () => {
    expect(parseMetricsQuery({ 'match[]': 'node_load1{node="a"}' }, NOW).metric).toBe('node_load1');
    expect(parseMetricsQuery({ metric: 'node_load1', 'match[]': 'node_load1' }, NOW).matchers).toEqual([]);
    expectBadParameter({ metric: 'node_load1', 'match[]': 'node_load5{}' }, 'match[]', /names metric node_load5/);
    expectBadParameter({ 'match[]': ['a{}', 'b{}'] }, 'match[]', /two metrics/);
  });

  it('a bad selector names match[] and says where it broke', () => {
    expectBadParameter({ metric: 'm', 'match[]': '{node="a"' }, 'match[]', /expected ',' or '}' at offset 9/);
    expectBadParameter({ metric: 'm', 'match[]': '{mode=~"a)|(b"}' }, 'match[]', /bad regex for mode: unbalanced \)/);
    expectBadParameter({ metric: 'm', 'match[]': ['{a="1"}', 42] }, 'match[]', /text/);
  });

  it('too many matchers names match[]', () => {
    const many = Array.from({ length: 21 }, (_, i) => `l${i}="v"`).join(',');
    expectBadParameter({ metric: 'm', 'match[]': `{${many}}` }, 'match[]', /21 matchers; at most 20/);
  });

  it('by: comma-separated label names, trimmed', () => {
    expect(parseMetricsQuery({ metric: 'm', by: 'cluster, node' }, NOW).by).toEqual(['cluster', 'node']);
    expect(parseMetricsQuery({ metric: 'm', by: '' }, NOW).by).toEqual([]);
    expectBadParameter({ metric: 'm', by: 'cluster,1x' }, 'by', /"1x" is not a valid label name/);
    expectBadParameter({ metric: 'm', by: "labels['x']" }, 'by');
    expectBadParameter({ metric: 'm', by: 'a,a' }, 'by', /twice/);
    expectBadParameter({ metric: 'm', by: 'a,' }, 'by');
  });

  it('resolution and format take their listed values only', () => {
    expect(parseMetricsQuery({ metric: 'm', resolution: '1m', format: 'csv' }, NOW)).toMatchObject({ resolution: '1m', format: 'csv' });
    expect(parseMetricsQuery({ metric: 'm', resolution: '5m' }, NOW)).toMatchObject({ resolution: '5m' });
    expectBadParameter({ metric: 'm', resolution: '10m' }, 'resolution', /"10m" is not one of auto, raw, 1m, 5m, 1h/);
    expectBadParameter({ metric: 'm', format: 'xml' }, 'format', /"xml" is not one of json, csv/);
  });

  it('times outside 1970..2200 and steps over a year name their parameter', () => {
    expectBadParameter({ metric: 'm', end: '999999999999' }, 'end', /outside/);
    expectBadParameter({ metric: 'm', step: '367d' }, 'step', /at most 366d/);
  });

  it('error messages cut long input', () => {
    const e = apiError({ metric: `${'x'.repeat(5000)}-` });
    expect(e.parameter).toBe('metric');
    expect(e.message.length).toBeLessThan(200);
  });
});
