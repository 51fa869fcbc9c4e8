import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError, badParameter } from '../../errors/api-error.ts';
import type { MetricsStore, RangeQuery, RangeSeries, Resolution, SeriesRecord } from '../../store/metrics-store.ts';
import { InvalidQueryError } from '../../store/query-error.ts';
import { csvChunks, csvFilename, prefersCsv } from '../csv.ts';
import { MAX_MATCHED_SERIES, MAX_SERIES, type MetricsQuery, parseMetricsQuery } from '../metrics-query-params.ts';
import { type AnswerSeries, answerJsonChunks, emptySeries } from '../query-answer.ts';
import { metricsQuerySchema } from '../query-schemas.ts';
import { chooseResolution } from '../resolution.ts';
import { groupSeries, seriesLabels } from '../series-groups.ts';

interface Deps {
  store: MetricsStore;
  now: () => number;
  tenantOf: (request: unknown) => string;
}

/** Rollup tables appear only through a migration at start-up; re-checking each minute is plenty. */
const RESOLUTIONS_TTL_MS = 60_000;

/** GET /api/v1/metrics/query: series of one metric, aggregated per step, optionally grouped; JSON or CSV. */
export function registerMetricsQueryRoute(app: FastifyInstance, deps: Deps): void {
  let resolutions: { at: number; list: Promise<Resolution[]> } | null = null;
  const available = () => {
    if (!resolutions || deps.now() - resolutions.at > RESOLUTIONS_TTL_MS) {
      resolutions = { at: deps.now(), list: deps.store.resolutions() };
      resolutions.list.catch(() => {
        resolutions = null;
      });
    }
    return resolutions.list;
  };

  app.get('/api/v1/metrics/query', { schema: metricsQuerySchema }, async (request, reply) => {
    const q = parseMetricsQuery(request.query as Record<string, unknown>, deps.now());
    const resolution = chooseResolution(q.resolution, (q.endMs - q.startMs) / 1000, q.stepSeconds, await available(), q.aggregation);
    const tenant = deps.tenantOf(request);
    const csv = q.format === 'csv' || (q.format === undefined && prefersCsv(request.headers.accept));
    const series = await matchingSeries(deps.store, tenant, q);
    // For JSON the store also formats the points as text, which the answer passes on as it is.
    const read = {
      tenant,
      startMs: q.startMs,
      endMs: q.endMs,
      stepSeconds: q.stepSeconds,
      aggregation: q.aggregation,
      resolution,
      pointsJson: !csv,
    };
    const result = q.by.length > 0 ? await grouped(deps.store, q, read, series) : await perSeries(deps.store, read, series);

    if (csv) {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${csvFilename(q.metric, q.startMs, q.endMs)}"`);
      return reply.send(Readable.from(csvChunks(result)));
    }
    const head = {
      metric: q.metric,
      resolution,
      step: q.stepSeconds,
      aggregation: q.aggregation,
      by: q.by,
      start: q.startMs / 1000,
      end: q.endMs / 1000,
    };
    // `series[].points` is `[[t, v], …]`, written by hand from the columnar answer or copied
    // from the store's text (query-answer.ts); sent as pieces, so that large texts are not copied.
    reply.header('content-type', 'application/json; charset=utf-8');
    const chunks = answerJsonChunks(head, result);
    if (chunks.length === 1) return reply.send(chunks[0]);
    reply.header(
      'content-length',
      chunks.reduce((n, c) => n + c.length, 0),
    );
    return reply.send(Readable.from(chunks));
  });
}

async function matchingSeries(store: MetricsStore, tenant: string, q: MetricsQuery): Promise<SeriesRecord[]> {
  // Ungrouped, every series is a result; grouped, many series may fold into few results.
  const cap = q.by.length > 0 ? MAX_MATCHED_SERIES : MAX_SERIES;
  let series: SeriesRecord[];
  try {
    series = await store.findSeries({ tenant, metric: q.metric, matchers: q.matchers, limit: cap + 1 });
  } catch (err) {
    if (err instanceof InvalidQueryError) throw badParameter('match[]', err.message);
    throw err;
  }
  if (series.length > cap) {
    const what = q.by.length > 0 ? 'series to group' : 'series';
    throw new ApiError(
      'LIMIT_EXCEEDED',
      `match[]: the query matches more than ${cap} ${what}; the limit is ${cap}. Narrow it with matchers${q.by.length > 0 ? '' : ' or group it with by='}.`,
      'match[]',
    );
  }
  return series;
}

/** What to read, whoever the series are. */
type Read = Omit<RangeQuery, 'seriesIds'>;

async function perSeries(store: MetricsStore, read: Read, series: SeriesRecord[]): Promise<AnswerSeries[]> {
  const answer = await store.queryRange({ ...read, seriesIds: series.map((s) => s.id) });
  const byId = new Map(answer.map((a) => [a.seriesId, a]));
  return series.map((s) => {
    const a = byId.get(s.id);
    return a ? answerOf(seriesLabels(s), a) : emptySeries(seriesLabels(s));
  });
}

async function grouped(store: MetricsStore, q: MetricsQuery, read: Read, series: SeriesRecord[]): Promise<AnswerSeries[]> {
  const groups = groupSeries(series, q.by);
  if (groups.length > MAX_SERIES) {
    throw new ApiError(
      'LIMIT_EXCEEDED',
      `by: grouping by ${q.by.join(',')} gives ${groups.length} series; the limit is ${MAX_SERIES}. Group by fewer labels or narrow with match[].`,
      'by',
    );
  }
  const answer = await store.queryGroupedRange({ ...read, groups: groups.map((g) => g.seriesIds) });
  const byGroup = new Map(answer.map((a) => [a.group, a]));
  return groups.map((g, i) => {
    const a = byGroup.get(i);
    return a ? answerOf(g.labels, a) : emptySeries(g.labels);
  });
}

/**
 * A store answer under its labels. `t` and `values` are read through, not copied: with
 * points as text the store builds them only when read, and the JSON answer never reads them.
 */
function answerOf(labels: Record<string, string>, a: Pick<RangeSeries, 't' | 'values' | 'pointsJson'>): AnswerSeries {
  const out: AnswerSeries = {
    labels,
    get t() {
      return a.t;
    },
    get values() {
      return a.values;
    },
  };
  if (a.pointsJson) out.pointsJson = a.pointsJson;
  return out;
}
