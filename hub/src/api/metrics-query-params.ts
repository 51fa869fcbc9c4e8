import { ApiError, badParameter } from '../errors/api-error.ts';
import type { LabelMatcher, RangeQuery } from '../store/metrics-store.ts';

export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'last'] as const;
/** Same bound as Prometheus: a range query returns at most this many points per series. */
export const MAX_POINTS_PER_SERIES = 11_000;
export const MAX_SERIES = 500;

export interface MetricsQuery {
  metric: string;
  matchers: LabelMatcher[];
  startMs: number;
  endMs: number;
  stepSeconds: number;
  aggregation: RangeQuery['aggregation'];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const KNOWN = new Set(['metric', 'start', 'end', 'step', 'agg']);

/** Parses and validates the query string of GET /api/v1/metrics/query; every error names its parameter. */
export function parseMetricsQuery(query: Record<string, unknown>, nowMs: number): MetricsQuery {
  const matchers: LabelMatcher[] = [];
  for (const [key, raw] of Object.entries(query)) {
    const m = /^match\[(.*)\]$/.exec(key);
    if (m) {
      const label = m[1] as string;
      if (!LABEL_NAME.test(label)) throw badParameter(key, `"${label}" is not a valid label name`);
      if (typeof raw !== 'string') throw badParameter(key, 'give one value per label');
      matchers.push({ label, op: '=', value: raw });
    } else if (!KNOWN.has(key)) {
      throw badParameter(key, `unknown parameter; known: metric, match[<label>], start, end, step, agg`);
    }
  }
  const metric = single(query, 'metric');
  if (!metric) throw badParameter('metric', 'is required');
  if (!METRIC_NAME.test(metric)) throw badParameter('metric', `"${metric}" is not a valid metric name`);
  const endMs = parseTime(single(query, 'end'), 'end') ?? nowMs;
  const startMs = parseTime(single(query, 'start'), 'start') ?? endMs - 3_600_000;
  if (startMs >= endMs) throw badParameter('start', `must be before end (start ${iso(startMs)}, end ${iso(endMs)})`);
  const stepRaw = single(query, 'step');
  const stepSeconds = stepRaw === undefined ? autoStep(endMs - startMs) : parseDuration(stepRaw, 'step');
  const points = (endMs - startMs) / 1000 / stepSeconds;
  if (points > MAX_POINTS_PER_SERIES) {
    throw new ApiError(
      'LIMIT_EXCEEDED',
      `step: the range would give ${Math.ceil(points)} points per series; the limit is ${MAX_POINTS_PER_SERIES}. Use a larger step or a shorter range.`,
      'step',
    );
  }
  const agg = single(query, 'agg') ?? 'avg';
  if (!(AGGREGATIONS as readonly string[]).includes(agg)) throw badParameter('agg', `"${agg}" is not one of ${AGGREGATIONS.join(', ')}`);
  return { metric, matchers, startMs, endMs, stepSeconds, aggregation: agg as MetricsQuery['aggregation'] };
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParameter(name, 'give it once');
  return v;
}

/** Unix seconds (fractions allowed) or RFC 3339. */
function parseTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const t = Date.parse(raw);
    if (!Number.isNaN(t)) return t;
  }
  throw badParameter(name, `"${raw}" is neither unix seconds nor an RFC 3339 time`);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `15`, `15s`, `1m`, `1h`, `1d`; whole seconds, at least 1. */
function parseDuration(raw: string, name: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(raw);
  if (!m) throw badParameter(name, `"${raw}" is not a duration such as 10s, 1m or 1h`);
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] as number);
  if (seconds <= 0) throw badParameter(name, 'must be at least 1s');
  return seconds;
}

/** About 250 points per series, rounded to a whole number of seconds. */
function autoStep(rangeMs: number): number {
  return Math.max(1, Math.round(rangeMs / 1000 / 250));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
