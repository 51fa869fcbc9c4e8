import { fetchPools, type PoolRow } from './controls-api.ts';
import type { TopologyCluster, TopologyNode } from './fleet-api.ts';
import { fetchSeries, type MetricsQueryResult } from './nodes-api.ts';

/** What the topology answer lacks per node, from the endpoints that have it (one call each, not one per node). */
export interface NodeFigures {
  /** By pool id `instanceType|zone|capacityType`: the catalog's current price and the board's score. */
  pools: Map<string, { pricePerHour: number | null; score: number | null }>;
  /** By node name: the latest CPU and memory use, in percent. */
  cpu: Map<string, number>;
  memory: Map<string, number>;
}

export const poolId = (n: Pick<TopologyNode, 'instanceType' | 'zone' | 'lifecycle'>) => `${n.instanceType}|${n.zone}|${n.lifecycle}`;

const scoreOf = (p: PoolRow): number | null =>
  typeof p.total === 'number' ? p.total : typeof p.score === 'number' ? p.score : typeof p.score?.total === 'number' ? p.score.total : null;

/** The newest point of each node's series. */
export function latestByNode(result: MetricsQueryResult | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of result?.series ?? []) {
    const node = s.labels.node;
    const last = s.points.at(-1);
    if (node && last) out.set(node, last[1]);
  }
  return out;
}

/**
 * Memory use in percent, point by point, from the agents' used and total bytes (agents report
 * bytes, not a percentage). Series are matched by node; points by timestamp.
 */
export function memoryPercent(used: MetricsQueryResult | null, total: MetricsQueryResult | null): MetricsQueryResult | null {
  if (!used || !total) return null;
  const totals = new Map(total.series.map((s) => [s.labels.node, new Map(s.points.map(([t, v]) => [t, v]))] as const));
  return {
    ...used,
    metric: 'node_memory_usage_percent',
    series: used.series.map((s) => {
      const byTime = totals.get(s.labels.node);
      return {
        labels: s.labels,
        points: s.points.flatMap(([t, v]): Array<[number, number]> => {
          const all = byTime?.get(t);
          return all ? [[t, (100 * v) / all]] : [];
        }),
      };
    }),
  };
}

/**
 * Pools and the last ten minutes of node CPU and memory, fetched together. A part the hub
 * refuses or lacks leaves its figures empty: the table then shows "–" there, not an error.
 */
export async function fetchNodeFigures(nowMs: number, signal?: AbortSignal): Promise<NodeFigures> {
  const quiet = <T>(p: Promise<T>) => p.catch(() => null);
  const window = { start: nowMs / 1000 - 600, end: nowMs / 1000, stepSeconds: 60, match: {} };
  const [pools, cpu, used, total] = await Promise.all([
    quiet(fetchPools(signal, 5000)),
    quiet(fetchSeries({ metric: 'node_cpu_usage_percent', ...window }, signal)),
    quiet(fetchSeries({ metric: 'node_memory_used_bytes', ...window }, signal)),
    quiet(fetchSeries({ metric: 'node_memory_total_bytes', ...window }, signal)),
  ]);
  const memory = memoryPercent(used, total);
  return {
    pools: new Map((pools?.pools ?? []).map((p) => [p.poolId, { pricePerHour: p.price?.perHour ?? null, score: scoreOf(p) }] as const)),
    cpu: latestByNode(cpu),
    memory: latestByNode(memory),
  };
}

/** Fills each node's price, score, CPU and memory from `figures` where the topology left them empty. */
export function withFigures(clusters: TopologyCluster[], figures: NodeFigures): TopologyCluster[] {
  return clusters.map((c) => ({
    ...c,
    pools: c.pools.map((p) => ({
      ...p,
      nodes: p.nodes.map((n) => {
        const pool = figures.pools.get(poolId(n));
        return {
          ...n,
          pricePerHour: n.pricePerHour ?? pool?.pricePerHour ?? null,
          score: n.score ?? pool?.score ?? null,
          cpuPercent: n.cpuPercent ?? figures.cpu.get(n.name) ?? null,
          memoryPercent: n.memoryPercent ?? figures.memory.get(n.name) ?? null,
        };
      }),
    })),
  }));
}
