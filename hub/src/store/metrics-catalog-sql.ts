import type { CatalogQuery, Resolution } from './metrics-store.ts';

/** Runs one read query with bound parameters and returns its rows. */
export type RowReader = <T>(query: string, params?: Record<string, unknown>) => Promise<T[]>;

/** `node` and `cluster` are columns of `series`; every other label lives in its map. */
const COLUMN_LABELS = ['cluster', 'node'];

// `{all:UInt8} = 1` lets one statement serve both "every metric" and "one metric".
const SCOPE = 'tenant = {tenant:String} AND ({all:UInt8} = 1 OR metric = {metric:String})';

function scope(q: CatalogQuery): Record<string, unknown> {
  return { tenant: q.tenant, all: q.metric === undefined ? 1 : 0, metric: q.metric ?? '', limit: q.limit };
}

export async function metricNames(rows: RowReader, q: CatalogQuery & { prefix: string }): Promise<string[]> {
  const found = await rows<{ v: string }>(
    `SELECT DISTINCT metric AS v FROM series
     WHERE ${SCOPE} AND startsWith(metric, {prefix:String})
     ORDER BY v LIMIT {limit:UInt32}`,
    { ...scope(q), prefix: q.prefix },
  );
  return found.map((r) => String(r.v));
}

export async function labelNames(rows: RowReader, q: CatalogQuery): Promise<string[]> {
  const found = await rows<{ v: string }>(
    `SELECT DISTINCT arrayJoin(arrayConcat(mapKeys(labels), {columns:Array(String)})) AS v FROM series
     WHERE ${SCOPE}
     ORDER BY v LIMIT {limit:UInt32}`,
    { ...scope(q), columns: COLUMN_LABELS },
  );
  return found.map((r) => String(r.v));
}

export async function labelValues(rows: RowReader, q: CatalogQuery & { label: string }): Promise<string[]> {
  // The label name picks a column from a fixed list or is bound as a map key, never spliced.
  const subject = q.label === 'node' ? 'node' : q.label === 'cluster' ? 'cluster' : 'labels[{label:String}]';
  const found = await rows<{ v: string }>(
    `SELECT DISTINCT ${subject} AS v FROM series
     WHERE ${SCOPE} AND v != ''
     ORDER BY v LIMIT {limit:UInt32}`,
    { ...scope(q), label: q.label },
  );
  return found.map((r) => String(r.v));
}

/** Rollup tables are created by a migration; a store without them still answers raw queries. */
export async function availableResolutions(rows: RowReader): Promise<Resolution[]> {
  const found = await rows<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('samples_1m', 'samples_5m', 'samples_1h')`,
  );
  const names = new Set(found.map((r) => r.name));
  const out: Resolution[] = ['raw'];
  if (names.has('samples_1m')) out.push('1m');
  if (names.has('samples_5m')) out.push('5m');
  if (names.has('samples_1h')) out.push('1h');
  return out;
}
