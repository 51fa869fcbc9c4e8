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

  it('auto step gives ~250 points and is at least 1 s', () => {
    expect(parseMetricsQuery({ metric: 'm', start: '0', end: '86400' }, NOW).stepSeconds).toBe(346);
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

  it.each(['avg', 'min', 'max', 'sum', 'last'])('accepts agg=%s', (agg) => {
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
    expectBadParameter({ metric: 'm', agg: 'median' }, 'agg', /"median" is not one of avg, min, max, sum, last/);
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
});
