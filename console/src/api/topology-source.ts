import { ApiError } from './api-error.ts';
import { fetchTopology, type TopologyCluster } from './fleet-api.ts';
import { fetchNodeFigures, withFigures } from './node-enrichment.ts';
import { fetchNodes, type NodeInfo } from './nodes-api.ts';

/** Clusters → pools → nodes from the agents' own reports, for hubs without the topology endpoint. */
export function topologyFromNodes(nodes: readonly NodeInfo[], clientId: string): TopologyCluster[] {
  const clusters = new Map<string, Map<string, TopologyCluster['pools'][number]>>();
  for (const n of nodes) {
    if (n.tenant !== clientId) continue;
    const poolName = `${n.instanceType || '?'} · ${n.availabilityZone || '?'} · ${n.lifecycle}`;
    const pools = clusters.get(n.cluster) ?? new Map();
    clusters.set(n.cluster, pools);
    const pool = pools.get(poolName) ?? { name: poolName, nodes: [] };
    pools.set(poolName, pool);
    pool.nodes.push({
      name: n.node,
      instanceId: n.instanceId,
      instanceType: n.instanceType,
      zone: n.availabilityZone,
      lifecycle: n.lifecycle,
      pool: poolName,
      pricePerHour: null,
      score: null,
      launchedAt: null,
      cpuPercent: null,
      memoryPercent: null,
      connected: n.connected,
      lastSeen: n.lastSeen,
    });
  }
  return [...clusters].map(([id, pools]) => ({ id, name: id, pools: [...pools.values()] }));
}

export interface TopologyAnswer {
  clusters: TopologyCluster[];
  /** 'agents' when the hub has no topology endpoint and the console built it from /nodes. */
  source: 'hub' | 'agents';
}

async function clustersOf(clientId: string, signal?: AbortSignal): Promise<TopologyAnswer> {
  try {
    return { clusters: await fetchTopology(clientId, signal), source: 'hub' };
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404 && /route/i.test(err.message))) throw err;
    return { clusters: topologyFromNodes(await fetchNodes(signal), clientId), source: 'agents' };
  }
}

/** The client's clusters → pools → nodes, each node with its pool's price and score and its latest CPU and memory. */
export async function loadTopology(clientId: string, nowMs: number, signal?: AbortSignal): Promise<TopologyAnswer> {
  const [answer, figures] = await Promise.all([clustersOf(clientId, signal), fetchNodeFigures(nowMs, signal)]);
  return { ...answer, clusters: withFigures(answer.clusters, figures) };
}
