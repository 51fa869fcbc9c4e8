import type { ClickHouseClient } from '@clickhouse/client';
import { StoreError } from '../store/store-error.ts';
import type { NodeHoursSource, PoolHours, RiskEventCount, RiskEventSource } from './fleet-sources.ts';

const RISK_KINDS: Readonly<Record<string, RiskEventCount['kind']>> = {
  spot_interruption: 'interruption',
  rebalance_recommendation: 'rebalance',
};

/**
 * Reads the metrics store's own tables for fleet metrics: the events table (risk) and the
 * ingest ledger joined with the agents table (which nodes ran in which hour, in which pool).
 * Takes the store's ClickHouse client (chDB or a server): the same SQL on both.
 *
 * Running time comes from the ingest ledger (a node ran in an hour when the hub stored a
 * batch of its agent then), so it reaches back as far as the ledger's retention (30 days by
 * default) and counts a node from its agent's first batch.
 */
export class ClickHouseFleetReader implements RiskEventSource, NodeHoursSource {
  constructor(private readonly client: ClickHouseClient) {}

  /** @throws StoreError when the store cannot answer. */
  async countRiskEvents(tenant: string | null, fromMs: number, toMs: number): Promise<RiskEventCount[]> {
    const rows = await this.rows<{ tenant: string; cluster: string; kind: string; n: string | number }>(
      `SELECT tenant, cluster, kind, uniqExact(id) AS n
       FROM events
       WHERE time >= fromUnixTimestamp64Milli({from:Int64}) AND time < fromUnixTimestamp64Milli({to:Int64})
         AND kind IN ('spot_interruption', 'rebalance_recommendation')
         AND ({all:UInt8} = 1 OR tenant = {tenant:String})
       GROUP BY tenant, cluster, kind
       ORDER BY tenant, cluster, kind`,
      { from: fromMs, to: toMs, all: tenant === null ? 1 : 0, tenant: tenant ?? '' },
    );
    return rows.map((r) => ({
      tenant: r.tenant,
      cluster: r.cluster,
      kind: RISK_KINDS[r.kind] as RiskEventCount['kind'],
      count: Number(r.n),
    }));
  }

  /** @throws StoreError when the store cannot answer. */
  async poolHours(tenant: string | null, fromMs: number, toMs: number): Promise<PoolHours[]> {
    const rows = await this.rows<Record<string, string | number>>(
      `SELECT b.tenant AS tenant, b.cluster AS cluster, a.instance_type AS instance_type, a.availability_zone AS zone,
              a.lifecycle AS lifecycle, toUnixTimestamp(toStartOfHour(b.stored_at)) AS hour, uniqExact(b.node) AS nodes
       FROM ingest_batches AS b
       INNER JOIN (
         SELECT tenant, cluster, node, argMax(instance_type, last_seen) AS instance_type,
                argMax(availability_zone, last_seen) AS availability_zone, argMax(lifecycle, last_seen) AS lifecycle
         FROM agents
         WHERE {all:UInt8} = 1 OR tenant = {tenant:String}
         GROUP BY tenant, cluster, node
       ) AS a ON a.tenant = b.tenant AND a.cluster = b.cluster AND a.node = b.node
       WHERE b.stored_at >= fromUnixTimestamp64Milli({from:Int64}) AND b.stored_at < fromUnixTimestamp64Milli({to:Int64})
         AND ({all:UInt8} = 1 OR b.tenant = {tenant:String})
       GROUP BY tenant, cluster, instance_type, zone, lifecycle, hour
       ORDER BY hour, tenant, cluster, instance_type, zone, lifecycle`,
      { from: fromMs, to: toMs, all: tenant === null ? 1 : 0, tenant: tenant ?? '' },
    );
    return rows.map((r) => ({
      tenant: String(r.tenant),
      cluster: String(r.cluster),
      instanceType: String(r.instance_type),
      zone: String(r.zone),
      lifecycle: String(r.lifecycle),
      hourMs: Number(r.hour) * 1000,
      nodes: Number(r.nodes),
    }));
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    try {
      const result = await this.client.query({ query, query_params, format: 'JSONEachRow' });
      return await result.json<T>();
    } catch (err) {
      throw new StoreError('cannot read fleet metrics from the metrics store', { cause: err });
    }
  }
}
