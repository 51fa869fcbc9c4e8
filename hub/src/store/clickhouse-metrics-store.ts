import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { explainChdbError, type StoreConnection } from './clickhouse-connection.ts';
import type {
  AgentRecord,
  BatchRecord,
  EventRecord,
  MetricsStore,
  RangeQuery,
  RangeRow,
  SamplePart,
  SequenceProgress,
  SeriesRecord,
  SeriesSelector,
} from './metrics-store.ts';
import { encodeSamplesRowBinary, SAMPLE_ROW_STRUCTURE } from './row-binary.ts';
import { MIGRATIONS } from './schema.ts';
import { StoreError } from './store-error.ts';

const SAMPLE_COLUMNS = '(tenant, cluster, series_id, ts, value)';

/** MetricsStore on @clickhouse/client; identical SQL for chDB and a ClickHouse server. */
export class ClickHouseMetricsStore implements MetricsStore {
  private readonly client: ClickHouseClient;
  private readonly spoolDir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  private closed = false;

  constructor(private readonly connection: StoreConnection) {
    this.client = connection.client;
  }

  async start(): Promise<void> {
    try {
      await this.client.command({
        query: `CREATE TABLE IF NOT EXISTS schema_migrations (
          version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = MergeTree ORDER BY version`,
      });
      const applied = new Set(
        (await this.rows<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const statement of m.statements) await this.client.command({ query: statement });
        await this.client.insert({
          table: 'schema_migrations',
          values: [{ version: m.version, name: m.name }],
          format: 'JSONEachRow',
        });
      }
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

  async insertSeries(series: SeriesRecord[]): Promise<void> {
    if (series.length === 0) return;
    await this.client.insert({
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
    const buffers = parts.filter((p) => p.block.length > 0).map((p) => encodeSamplesRowBinary(p.tenant, p.cluster, p.block));
    if (buffers.length > 0) await this.writeRowBinary(Buffer.concat(buffers));
    await this.recordBatches(batches);
  }

  async recordBatches(batches: BatchRecord[]): Promise<void> {
    if (batches.length === 0) return;
    await this.client.insert({
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
    const params = { tenant, cluster, node, epoch: epoch.toString() };
    const where = 'tenant = {tenant:String} AND cluster = {cluster:String} AND node = {node:String} AND epoch = {epoch:UInt64}';
    const [summary] = await this.rows<{ n: string; top: string }>(
      `SELECT toString(uniqExact(seq)) AS n, toString(max(seq)) AS top FROM ingest_batches WHERE ${where}`,
      params,
    );
    const n = BigInt(summary?.n ?? '0');
    const top = BigInt(summary?.top ?? '0');
    // Sequences start at 1, so n == top means there is no gap.
    if (n === top) return { contiguous: top, above: [] };
    const seqs = (
      await this.rows<{ seq: string }>(`SELECT DISTINCT toString(seq) AS seq FROM ingest_batches WHERE ${where} ORDER BY seq`, params)
    ).map((r) => BigInt(r.seq));
    seqs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let contiguous = 0n;
    const above: bigint[] = [];
    for (const s of seqs) {
      if (s === contiguous + 1n && above.length === 0) contiguous = s;
      else above.push(s);
    }
    return { contiguous, above };
  }

  async upsertAgents(agents: AgentRecord[]): Promise<void> {
    if (agents.length === 0) return;
    await this.client.insert({
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

  async findSeries(selector: SeriesSelector): Promise<SeriesRecord[]> {
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
    );
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

  /**
   * FINAL collapses a batch re-stored after a crash before merges do; duplicates of a point
   * share its day partition, so FINAL never has to merge across partitions.
   */
  async queryRange(q: RangeQuery): Promise<RangeRow[]> {
    if (q.seriesIds.length === 0) return [];
    const agg = { avg: 'avg(value)', min: 'min(value)', max: 'max(value)', sum: 'sum(value)', last: 'argMax(value, ts)' }[q.aggregation];
    const rows = await this.rows<{ id: string; t: number; v: number }>(
      `SELECT toString(series_id) AS id, toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({step:UInt32}))) AS t, ${agg} AS v
       FROM samples FINAL
       WHERE series_id IN {ids:Array(UInt64)}
         AND ts >= fromUnixTimestamp64Milli({start:Int64}) AND ts < fromUnixTimestamp64Milli({end:Int64})
       GROUP BY series_id, t
       ORDER BY series_id, t
       SETTINGS do_not_merge_across_partitions_select_final = 1`,
      { step: q.stepSeconds, ids: q.seriesIds, start: Math.floor(q.startMs), end: Math.ceil(q.endMs) },
    );
    return rows.map((r) => ({ seriesId: BigInt(r.id), t: Number(r.t), value: Number(r.v) }));
  }

  private async rows<T>(query: string, query_params?: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  private async writeRowBinary(payload: Buffer): Promise<void> {
    if (this.connection.kind === 'server') {
      await this.client.exec({ query: `INSERT INTO samples ${SAMPLE_COLUMNS} FORMAT RowBinary`, values: Readable.from([payload]) });
      return;
    }
    // The chDB connection accepts no RowBinary body, but the engine reads a local file at
    // memory speed: a tmpfs spool file is the fastest measured path (PERF-NOTES).
    const path = join(this.spoolDir, `ballast-ingest-${process.pid}-${randomUUID()}.bin`);
    await writeFile(path, payload);
    try {
      await this.client.command({
        query: `INSERT INTO samples ${SAMPLE_COLUMNS} SELECT * FROM file({path:String}, 'RowBinary', {structure:String})`,
        query_params: { path, structure: SAMPLE_ROW_STRUCTURE },
      });
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }
}

/** DateTime64(3, 'UTC') text form; the basic format needs no best-effort parsing. */
function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
