import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { explainChdbError, type StoreConnection } from './clickhouse-connection.ts';
import { renderStatement } from './ddl.ts';
import { sequenceProgressMany } from './ingest-ledger-sql.ts';
import { availableResolutions, labelNames, labelValues, metricNames, type RowReader } from './metrics-catalog-sql.ts';
import type {
  AgentEpochKey,
  AgentRecord,
  BatchRecord,
  CatalogQuery,
  EventRecord,
  GroupedRangeQuery,
  GroupedRangeSeries,
  MetricsStore,
  RangeQuery,
  RangeSeries,
  Resolution,
  SamplePart,
  SequenceProgress,
  SeriesRecord,
  SeriesSelector,
  StorageUsage,
} from './metrics-store.ts';
import { encodeSamplesNative, SAMPLE_NATIVE_STRUCTURE } from './native-block.ts';
import { InvalidQueryError, isRegexCompileError } from './query-error.ts';
import { type RangeSqlInput, rangeQuerySql } from './range-query-sql.ts';
import { decodeRangeRows, type RangeSeriesRows, rangeRowsSql } from './range-rows.ts';
import { applyRetention } from './retention.ts';
import { encodeSamplesRowBinary } from './row-binary.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './schema.ts';
import { SeriesCache } from './series-cache.ts';
import { optimizeTables, readStorageUsage } from './storage-usage.ts';
import { StoreError } from './store-error.ts';
import { type ClickHouseStoreOptions, DEFAULT_STORE_OPTIONS } from './store-options.ts';

const SAMPLE_COLUMNS = '(tenant, cluster, series_id, ts, value)';

/**
 * `optimize_on_insert = 0`: do not collapse duplicate keys inside each inserted block (and
 * the views' blocks, which their GROUP BY already collapsed). Samples rarely repeat within
 * a block, FINAL and merges collapse them anyway, and the pass cost ~8% of insert CPU.
 */
const SAMPLE_INSERT_SETTINGS = { optimize_on_insert: 0 } as const;

/** MetricsStore on @clickhouse/client; identical SQL for chDB and a ClickHouse server. */
export class ClickHouseMetricsStore implements MetricsStore {
  private readonly client: ClickHouseClient;
  private readonly spoolDir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  private closed = false;
  /**
   * On a cluster, inserts go through Distributed tables, which by default queue rows and
   * forward them later: synchronous forwarding keeps "resolved = durable" true for acks.
   */
  private readonly insertSettings: { insert_distributed_sync?: 1 };
  /**
   * Series lookups, cached on chDB only: there this process is the one writer of the data
   * directory, so insertSeries sees every new series and invalidates exactly. Several hubs
   * share a ClickHouse server, and one hub cannot see the others' new series.
   */
  private readonly seriesCache: SeriesCache | null;

  constructor(
    private readonly connection: StoreConnection,
    private readonly options: ClickHouseStoreOptions = DEFAULT_STORE_OPTIONS,
  ) {
    this.client = connection.client;
    this.insertSettings = options.layout.cluster ? { insert_distributed_sync: 1 } : {};
    this.seriesCache = connection.kind === 'chdb' ? new SeriesCache() : null;
  }

  /** Migrates the schema (versioned), then brings TTLs to the configured retention (idempotent). */
  async start(): Promise<void> {
    const { layout } = this.options;
    try {
      for (const sql of renderStatement({ kind: 'table', table: MIGRATIONS_TABLE }, layout)) await this.client.command({ query: sql });
      const applied = new Set(
        (await this.rows<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const statement of m.statements) {
          for (const sql of renderStatement(statement, layout)) await this.client.command({ query: sql });
        }
        await this.client.insert({
          clickhouse_settings: this.insertSettings,
          table: 'schema_migrations',
          values: [{ version: m.version, name: m.name }],
          format: 'JSONEachRow',
        });
      }
      await applyRetention(this.client, layout, this.options.retention);
    } catch (err) {
      throw new StoreError(`cannot prepare the metrics schema on ${this.connection.describe}`, {
        cause: explainChdbError(err, this.connection.describe),
      });
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  async ping(): Promise<void> {
    await this.rows('SELECT 1 AS ok');
  }

  storageUsage(): Promise<StorageUsage> {
    return readStorageUsage(this.client, this.options.layout);
  }

  optimize(): Promise<void> {
    return optimizeTables(this.client, this.options.layout);
  }

  async insertSeries(series: SeriesRecord[]): Promise<void> {
    if (series.length === 0) return;
    try {
      await this.insertSeriesRows(series);
    } finally {
      // Also after a failure: part of the rows may be stored.
      this.seriesCache?.invalidate(series);
    }
  }

  private async insertSeriesRows(series: SeriesRecord[]): Promise<void> {
    await this.client.insert({
      clickhouse_settings: this.insertSettings,
      table: 'series',
      format: 'JSONEachRow',
      values: series.map((s) => ({
        series_id: s.id.toString(),
        tenant: s.tenant,
        cluster: s.cluster,
        node: s.node,
        metric: s.metric,
        labels: s.labels,
        kind: s.kind,
        unit: s.unit,
      })),
    });
  }

  async insertSamples(parts: SamplePart[], batches: BatchRecord[]): Promise<void> {
    const nonEmpty = parts.filter((p) => p.block.length > 0);
    if (nonEmpty.length > 0) await this.writeSamples(nonEmpty);
    await this.recordBatches(batches);
  }

  async recordBatches(batches: BatchRecord[]): Promise<void> {
    if (batches.length === 0) return;
    await this.client.insert({
      clickhouse_settings: this.insertSettings,
      table: 'ingest_batches',
      format: 'JSONEachRow',
      values: batches.map((b) => ({
        tenant: b.tenant,
        cluster: b.cluster,
        node: b.node,
        epoch: b.epoch.toString(),
        seq: b.sequence.toString(),
        points: b.points,
        status: b.status,
      })),
    });
  }

  async sequenceProgress(tenant: string, cluster: string, node: string, epoch: bigint): Promise<SequenceProgress> {
    const [progress] = await this.sequenceProgressMany([{ tenant, cluster, node, epoch }]);
    return progress as SequenceProgress;
  }

  sequenceProgressMany(keys: AgentEpochKey[]): Promise<SequenceProgress[]> {
    return sequenceProgressMany(this.reader, keys);
  }

  async upsertAgents(agents: AgentRecord[]): Promise<void> {
    if (agents.length === 0) return;
    await this.client.insert({
      clickhouse_settings: this.insertSettings,
      table: 'agents',
      format: 'JSONEachRow',
      values: agents.map((a) => ({
        tenant: a.tenant,
        cluster: a.cluster,
        node: a.node,
        instance_id: a.instanceId,
        instance_type: a.instanceType,
        availability_zone: a.availabilityZone,
        lifecycle: a.lifecycle,
        agent_version: a.agentVersion,
        connected: a.connected ? 1 : 0,
        last_seen: chTime(a.lastSeenMs),
      })),
    });
  }

  async listAgents(tenant: string | null): Promise<AgentRecord[]> {
    const rows = await this.rows<Record<string, string | number>>(
      `SELECT tenant, cluster, node, instance_id, instance_type, availability_zone, lifecycle, agent_version,
              connected, toUnixTimestamp64Milli(last_seen) AS last_seen_ms
       FROM agents FINAL
       WHERE {all:UInt8} = 1 OR tenant = {tenant:String}
       ORDER BY tenant, cluster, node`,
      { all: tenant === null ? 1 : 0, tenant: tenant ?? '' },
    );
    return rows.map((r) => ({
      tenant: String(r.tenant),
      cluster: String(r.cluster),
      node: String(r.node),
      instanceId: String(r.instance_id),
      instanceType: String(r.instance_type),
      availabilityZone: String(r.availability_zone),
      lifecycle: String(r.lifecycle),
      agentVersion: String(r.agent_version),
      connected: Number(r.connected) === 1,
      lastSeenMs: Number(r.last_seen_ms),
    }));
  }

  async insertEvents(events: EventRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.client.insert({
      clickhouse_settings: this.insertSettings,
      table: 'events',
      format: 'JSONEachRow',
      values: events.map((e) => ({
        tenant: e.tenant,
        cluster: e.cluster,
        node: e.node,
        id: e.id,
        kind: e.kind,
        time: chTime(e.timeMs),
        deadline: e.deadlineMs > 0 ? chTime(e.deadlineMs) : null,
        message: e.message,
        attributes: e.attributes,
      })),
    });
  }

  findSeries(selector: SeriesSelector): Promise<SeriesRecord[]> {
    return this.seriesCache ? this.seriesCache.find(selector, () => this.lookupSeries(selector)) : this.lookupSeries(selector);
  }

  private async lookupSeries(selector: SeriesSelector): Promise<SeriesRecord[]> {
    const params: Record<string, unknown> = { tenant: selector.tenant, metric: selector.metric, limit: selector.limit };
    const clauses = selector.matchers.map((m, i) => {
      params[`l${i}`] = m.label;
      params[`v${i}`] = m.value;
      // `node` and `cluster` are columns; every other label lives in the map.
      const subject = ['node', 'cluster'].includes(m.label) ? m.label : `labels[{l${i}:String}]`;
      switch (m.op) {
        case '=':
          return `${subject} = {v${i}:String}`;
        case '!=':
          return `${subject} != {v${i}:String}`;
        case '=~':
          return `match(${subject}, concat('^(?:', {v${i}:String}, ')$'))`;
        default:
          return `NOT match(${subject}, concat('^(?:', {v${i}:String}, ')$'))`;
      }
    });
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT toString(series_id) AS id, tenant, cluster, node, metric, labels, kind, unit
       FROM series FINAL
       WHERE tenant = {tenant:String} AND metric = {metric:String}${clauses.map((c) => ` AND ${c}`).join('')}
       ORDER BY series_id
       LIMIT {limit:UInt32}`,
      params,
    ).catch((err: unknown) => {
      if (!isRegexCompileError(err)) throw err;
      const bad = selector.matchers.find((m) => (m.op === '=~' || m.op === '!~') && (err as Error).message.includes(m.value));
      throw new InvalidQueryError(`cannot compile the regex ${JSON.stringify(bad?.value ?? '')} (RE2 syntax)`, bad?.value ?? '', {
        cause: err,
      });
    });
    return rows.map((r) => ({
      id: BigInt(String(r.id)),
      tenant: String(r.tenant),
      cluster: String(r.cluster),
      node: String(r.node),
      metric: String(r.metric),
      labels: r.labels as Record<string, string>,
      kind: String(r.kind) as SeriesRecord['kind'],
      unit: String(r.unit),
    }));
  }

  /** The decoded arrays are handed out as they are: rows come grouped by key, ordered by key, never empty. */
  async queryRange(q: RangeQuery): Promise<RangeSeries[]> {
    if (q.seriesIds.length === 0) return [];
    const rows = await this.rangeRows({ ...q, resolution: q.resolution ?? 'raw' }, q.pointsJson === true);
    return rows.map((s) => rangeSeriesOf(s, { seriesId: s.key }));
  }

  async queryGroupedRange(q: GroupedRangeQuery): Promise<GroupedRangeSeries[]> {
    const seriesIds = q.groups.flat();
    if (seriesIds.length === 0) return [];
    const groupOf = q.groups.flatMap((ids, g) => ids.map(() => g));
    const rows = await this.rangeRows({ ...q, resolution: q.resolution ?? 'raw', seriesIds, groupOf }, q.pointsJson === true);
    return rows.map((s) => rangeSeriesOf(s, { group: Number(s.key) }));
  }

  resolutions(): Promise<Resolution[]> {
    return availableResolutions(this.reader);
  }

  metricNames(q: CatalogQuery & { prefix: string }): Promise<string[]> {
    return metricNames(this.reader, q);
  }

  labelNames(q: CatalogQuery): Promise<string[]> {
    return labelNames(this.reader, q);
  }

  labelValues(q: CatalogQuery & { label: string }): Promise<string[]> {
    return labelValues(this.reader, q);
  }

  /** One row per series (or group), its points as arrays; see range-rows.ts for why RowBinary. */
  private async rangeRows(input: RangeSqlInput, json: boolean): Promise<RangeSeriesRows[]> {
    const { query, params } = rangeQuerySql(input);
    const result = await this.client.exec({ query: rangeRowsSql(query, { json }), query_params: params });
    const chunks: Buffer[] = [];
    for await (const chunk of result.stream) chunks.push(chunk as Buffer);
    // chDB hands the whole result over as one chunk: no copy then.
    return decodeRangeRows(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), { json });
  }

  private readonly reader: RowReader = (query, params) => this.rows(query, params);

  private async rows<T>(query: string, query_params?: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  private async writeSamples(parts: SamplePart[]): Promise<void> {
    if (this.connection.kind === 'server') {
      const payload = Buffer.concat(parts.map((p) => encodeSamplesRowBinary(p.tenant, p.cluster, p.block)));
      await this.client.exec({
        query: `INSERT INTO samples ${SAMPLE_COLUMNS} FORMAT RowBinary`,
        values: Readable.from([payload]),
        clickhouse_settings: { ...this.insertSettings, ...SAMPLE_INSERT_SETTINGS },
      });
      return;
    }
    // The chDB connection takes no binary body, but the engine reads a local file at memory
    // speed: a tmpfs spool file is the fastest measured path (PERF-NOTES), and a Native block
    // the cheapest file to build and to read (native-block.ts).
    const path = join(this.spoolDir, `ballast-ingest-${process.pid}-${randomUUID()}.bin`);
    await writeFile(path, encodeSamplesNative(parts));
    try {
      await this.client.command({
        query: `INSERT INTO samples ${SAMPLE_COLUMNS} SELECT * FROM file({path:String}, 'Native', {structure:String})`,
        query_params: { path, structure: SAMPLE_NATIVE_STRUCTURE },
        clickhouse_settings: SAMPLE_INSERT_SETTINGS,
      });
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }
}

/**
 * A decoded row as a (grouped) range series. With JSON text, `t` and `values` stay getters
 * (decoded when first read), so an answer written from the text never copies them.
 */
function rangeSeriesOf<K extends { seriesId: bigint } | { group: number }>(
  row: RangeSeriesRows,
  key: K,
): K & { t: Uint32Array; values: Float64Array; pointsJson?: Uint8Array } {
  if (!row.json) return { ...key, t: row.t, values: row.values };
  const json = row.json;
  return Object.defineProperties(
    { ...key, pointsJson: json },
    {
      t: { get: () => row.t, enumerable: true },
      values: { get: () => row.values, enumerable: true },
    },
  ) as K & { t: Uint32Array; values: Float64Array; pointsJson: Uint8Array };
}

/** DateTime64(3, 'UTC') text form; the basic format needs no best-effort parsing. */
function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
