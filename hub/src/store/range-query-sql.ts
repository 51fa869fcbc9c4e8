import { type Aggregation, RESOLUTION_SECONDS, type Resolution } from './metrics-store.ts';

/**
 * SQL of range queries. Everything the caller gives is bound as a query parameter; the only
 * text spliced in comes from the fixed tables below, chosen by already-validated enums.
 */

type PointAggregation = Exclude<Aggregation, 'rate'>;

/** Raw percentiles are exact, with linear interpolation between ranks (as numpy and Prometheus). */
const RAW: Record<PointAggregation, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'toFloat64(count())',
  last: 'argMax(value, ts)',
  p50: 'quantileExactInclusive(0.5)(value)',
  p95: 'quantileExactInclusive(0.95)(value)',
  p99: 'quantileExactInclusive(0.99)(value)',
};

/** Percentiles cannot be merged from min/max/sum/count: they read raw samples only. */
export const RAW_ONLY: ReadonlySet<Aggregation> = new Set(['p50', 'p95', 'p99']);

/** Rollup rows are partial aggregates: merging them per step gives the step's aggregate. */
const ROLLUP: Record<Exclude<PointAggregation, 'p50' | 'p95' | 'p99'>, string> = {
  avg: 'sum(`sum`) / sum(`count`)',
  min: 'min(`min`)',
  max: 'max(`max`)',
  sum: 'sum(`sum`)',
  count: 'toFloat64(sum(`count`))',
  last: 'argMaxMerge(`last`)',
};

/**
 * One merged rollup row's value: what {@link ROLLUP} computes over a bucket's partial rows,
 * applied to the single row `FINAL` leaves of them.
 */
const ROLLUP_ROW: Record<keyof typeof ROLLUP, string> = {
  avg: '`sum` / `count`',
  min: '`min`',
  max: '`max`',
  sum: '`sum`',
  count: 'toFloat64(`count`)',
  last: 'finalizeAggregation(`last`)',
};

const TABLE: Record<Resolution, string> = { raw: 'samples FINAL', '1m': 'samples_1m', '5m': 'samples_5m', '1h': 'samples_1h' };

/** A counter sampled less often than this still gets its first in-range increase. */
const RATE_LOOKBACK_MS = 300_000;

export interface RangeSqlInput {
  tenant?: string;
  aggregation: Aggregation;
  resolution: Resolution;
  stepSeconds: number;
  startMs: number;
  endMs: number;
  seriesIds: bigint[];
  /** Group index of each series id (same order); absent: each series is its own result. */
  groupOf?: number[];
}

export interface RangeSql {
  query: string;
  params: Record<string, unknown>;
}

/** Rows of `(key: series id or group index, t: bucket start unix seconds, v: value)`, unordered (range-rows.ts orders them). */
export function rangeQuerySql(input: RangeSqlInput): RangeSql {
  const bucketMs = RESOLUTION_SECONDS[input.resolution] * 1000;
  // A rollup row is stamped with its bucket start; the bucket holding `start` counts whole.
  const fromMs = bucketMs > 0 ? Math.floor(input.startMs / bucketMs) * bucketMs : Math.floor(input.startMs);
  const params: Record<string, unknown> = {
    ids: input.seriesIds,
    step: input.stepSeconds,
    from: fromMs,
    end: Math.ceil(input.endMs),
  };
  let key = 'series_id';
  if (input.groupOf) {
    params.groups = input.groupOf;
    key = 'transform(series_id, {ids:Array(UInt64)}, {groups:Array(UInt32)}, toUInt32(0))';
  }
  const bucket = 'toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({step:UInt32})))';
  let owner = '';
  if (input.tenant !== undefined) {
    params.tenant = input.tenant;
    owner = 'tenant = {tenant:String} AND ';
  }
  const inRange = `${owner}series_id IN {ids:Array(UInt64)} AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({end:Int64})`;
  // FINAL collapses a batch re-stored after a crash; duplicates share a day partition.
  const settings = input.resolution === 'raw' ? '\nSETTINGS do_not_merge_across_partitions_select_final = 1' : '';

  if (input.aggregation !== 'rate') {
    if (input.resolution !== 'raw' && RAW_ONLY.has(input.aggregation)) {
      throw new Error(`${input.aggregation} is computed from raw samples; it cannot read the ${input.resolution} rollup`);
    }
    if (input.resolution !== 'raw' && !input.groupOf && owner !== '' && input.stepSeconds * 1000 === bucketMs) {
      // A step of exactly one bucket, per series: each step is one row once the partial rows
      // are merged. FINAL merges them while reading, in key order, which costs about what the
      // scan does; a GROUP BY over (series, step) hashed every row and took three times as long
      // (7-day bench query on samples_5m: 11 ms against 31 ms). The tenant condition keeps the
      // key (series, bucket) unique: the table's sort key holds tenant and cluster too.
      return {
        params,
        query: `SELECT series_id AS key, toUnixTimestamp(ts) AS t, ${ROLLUP_ROW[input.aggregation as keyof typeof ROLLUP]} AS v
FROM ${TABLE[input.resolution]} FINAL
WHERE ${inRange}
SETTINGS do_not_merge_across_partitions_select_final = 1`,
      };
    }
    const agg = input.resolution === 'raw' ? RAW[input.aggregation] : ROLLUP[input.aggregation as keyof typeof ROLLUP];
    return {
      params,
      query: `SELECT ${key} AS key, ${bucket} AS t, ${agg} AS v
FROM ${TABLE[input.resolution]}
WHERE ${inRange}
GROUP BY key, t${settings}`,
    };
  }

  // rate: each sample's increase over the previous one of its series (a decrease is a restart
  // from zero), summed per step and divided by the step. Rollups use each bucket's last value.
  params.lookback = fromMs - Math.max(input.stepSeconds * 1000, RATE_LOOKBACK_MS, bucketMs);
  const source =
    input.resolution === 'raw'
      ? 'SELECT series_id, ts, value FROM samples FINAL'
      : `SELECT series_id, ts, argMaxMerge(\`last\`) AS value FROM ${TABLE[input.resolution]}`;
  const window = 'PARTITION BY series_id ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW';
  return {
    params,
    query: `SELECT ${key} AS key, ${bucket} AS t,
  sum(if(value >= prev, value - prev, value)) / {step:UInt32} AS v
FROM (
  SELECT series_id, ts, value, lagInFrame(toNullable(value), 1) OVER (${window}) AS prev
  FROM (
    ${source}
    WHERE ${owner}series_id IN {ids:Array(UInt64)} AND ts >= fromUnixTimestamp64Milli({lookback:Int64}) AND ts < fromUnixTimestamp64Milli({end:Int64})
    ${input.resolution === 'raw' ? '' : 'GROUP BY series_id, ts'}
  )
)
WHERE prev IS NOT NULL AND ts >= fromUnixTimestamp64Milli({from:Int64})
GROUP BY key, t${settings}`,
  };
}
