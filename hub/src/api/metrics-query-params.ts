import { ApiError, badParameter } from '../errors/api-error.ts';
import type { Aggregation, LabelMatcher } from '../store/metrics-store.ts';
import { LABEL_NAME, MAX_MATCHER_VALUE, METRIC_NAME, parseSelector, SelectorSyntaxError } from './label-matchers.ts';
import { autoStep, RESOLUTION_CHOICES, type ResolutionChoice } from './resolution.ts';

export const AGGREGATIONS = [
  'avg',
  'min',
  'max',
  'sum',
  'count',
  'p50',
  'p95',
  'p99',
  'last',
  'rate',
] as const satisfies readonly Aggregation[];
export const FORMATS = ['json', 'csv'] as const;
/** Same bound as Prometheus: a range query returns at most this many points per series. */
export const MAX_POINTS_PER_SERIES = 11_000;
/** Series in an answer, after grouping. */
export const MAX_SERIES = 500;
/** Series a grouped query may read before grouping them. */
export const MAX_MATCHED_SERIES = 10_000;
export const MAX_MATCHERS = 20;
export const MAX_BY_LABELS = 10;

export interface MetricsQuery {
  metric: string;
  matchers: LabelMatcher[];
  startMs: number;
  endMs: number;
  stepSeconds: number;
  aggregation: Aggregation;
  /** Labels to group by; empty: every series separately. */
  by: string[];
  resolution: ResolutionChoice;
  /** Absent: decided by the Accept header. */
  format?: (typeof FORMATS)[number];
}

export const QUERY_PARAMETERS = ['metric', 'match[]', 'match[<label>]', 'start', 'end', 'step', 'agg', 'by', 'resolution', 'format'];
const KNOWN = new Set(['metric', 'match[]', 'start', 'end', 'step', 'agg', 'by', 'resolution', 'format']);

/** Parses and validates the query string of GET /api/v1/metrics/query; every error names its parameter. */
export function parseMetricsQuery(query: Record<string, unknown>, nowMs: number): MetricsQuery {
  const matchers: LabelMatcher[] = [];
  let selectorMetric: string | undefined;
  for (const [key, raw] of Object.entries(query)) {
    if (key === 'match[]') {
      for (const text of list(raw, key)) {
        const s = selector(text);
        if (s.metric && selectorMetric && s.metric !== selectorMetric)
          throw badParameter(key, `names two metrics, ${selectorMetric} and ${s.metric}`);
        selectorMetric ??= s.metric;
        matchers.push(...s.matchers);
      }
      continue;
    }
    const m = /^match\[(.*)\]$/.exec(key);
    if (m) {
      const label = m[1] as string;
      if (!LABEL_NAME.test(label)) throw badParameter(key, `"${clip(label)}" is not a valid label name`);
      if (typeof raw !== 'string') throw badParameter(key, 'give one value per label');
      if (raw.length > MAX_MATCHER_VALUE) throw badParameter(key, `is longer than ${MAX_MATCHER_VALUE} characters`);
      matchers.push({ label, op: '=', value: raw });
    } else if (!KNOWN.has(key)) {
      throw badParameter(key, `unknown parameter; known: ${QUERY_PARAMETERS.join(', ')}`);
    }
  }
  if (matchers.length > MAX_MATCHERS) throw badParameter('match[]', `${matchers.length} matchers; at most ${MAX_MATCHERS}`);
  const metric = single(query, 'metric') || selectorMetric;
  if (!metric) throw badParameter('metric', 'is required');
  if (!METRIC_NAME.test(metric)) throw badParameter('metric', `"${clip(metric)}" is not a valid metric name`);
  if (selectorMetric && selectorMetric !== metric) throw badParameter('match[]', `names metric ${selectorMetric} but metric is ${metric}`);
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
  return {
    metric,
    matchers,
    startMs,
    endMs,
    stepSeconds,
    aggregation: oneOf(query, 'agg', AGGREGATIONS) ?? 'avg',
    by: parseBy(single(query, 'by')),
    resolution: oneOf(query, 'resolution', RESOLUTION_CHOICES) ?? 'auto',
    format: oneOf(query, 'format', FORMATS),
  };
}

function selector(text: string): ReturnType<typeof parseSelector> {
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badParameter('match[]', `${err.message} in ${JSON.stringify(clip(text))}`);
    throw err;
  }
}

/** `by=cluster,node`: label names, each once. */
export function parseBy(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const labels = raw.split(',').map((l) => l.trim());
  for (const l of labels) if (!LABEL_NAME.test(l)) throw badParameter('by', `"${clip(l)}" is not a valid label name`);
  if (new Set(labels).size !== labels.length) throw badParameter('by', 'names a label twice');
  if (labels.length > MAX_BY_LABELS) throw badParameter('by', `${labels.length} labels; at most ${MAX_BY_LABELS}`);
  return labels;
}

function list(raw: unknown, name: string): string[] {
  const values = Array.isArray(raw) ? raw : [raw];
  if (!values.every((v) => typeof v === 'string')) throw badParameter(name, 'must be text');
  return values as string[];
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParameter(name, 'give it once');
  return v;
}

function oneOf<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const v = single(query, name);
  if (v === undefined || v === '') return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw badParameter(name, `"${clip(v)}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

/** The stored timestamps (DateTime64) end in 2299; later times cannot be stored or queried. */
const LATEST_MS = Date.UTC(2200, 0, 1);

/** Unix seconds (fractions allowed) or RFC 3339, from 1970 to 2200. */
function parseTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  let t = Number.NaN;
  if (/^\d{1,12}(\.\d{1,9})?$/.test(raw)) t = Math.round(Number(raw) * 1000);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(raw) && raw.length <= 40) t = Date.parse(raw);
  if (Number.isNaN(t)) throw badParameter(name, `"${clip(raw)}" is neither unix seconds nor an RFC 3339 time`);
  if (t < 0 || t > LATEST_MS) throw badParameter(name, `${clip(raw)} is outside 1970-01-01 to 2200-01-01`);
  return t;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `15`, `15s`, `1m`, `1h`, `1d`; whole seconds, at least 1, at most a year. */
function parseDuration(raw: string, name: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(raw);
  if (!m) throw badParameter(name, `"${clip(raw)}" is not a duration such as 10s, 1m or 1h`);
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] as number);
  if (seconds <= 0) throw badParameter(name, 'must be at least 1s');
  if (seconds > 366 * 86_400) throw badParameter(name, 'must be at most 366d');
  return seconds;
}

/** Error messages echo input; a long one is cut so the answer stays small. */
export function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
