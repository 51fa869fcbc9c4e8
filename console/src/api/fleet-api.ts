import { get } from './http.ts';
import { pickArray, pickNumber, pickString } from './pick.ts';

/** Live operations and fleet data: cards, funnel, pipeline status, clients, topology, savings. */

export interface CardFigures {
  activeInstances: { total: number | null; spot: number | null; onDemand: number | null };
  risk24h: { total: number | null; notices: number | null; rebalances: number | null };
  savings: { realized: number | null; projectedMonthly: number | null };
  optimizations: { executed: number | null; rate: number | null };
}

async function settle<T>(p: Promise<T>): Promise<T | Error> {
  try {
    return await p;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

const sub = (body: unknown, key: string): unknown =>
  body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;

export interface CardAnswer {
  figures: CardFigures;
  /** Per card, the error of its endpoint: one missing endpoint must not blank the others. */
  errors: Partial<Record<keyof CardFigures, Error>>;
}

export async function fetchCards(signal?: AbortSignal): Promise<CardAnswer> {
  const [active, risk, savings, opt, rate] = await Promise.all([
    settle(get<unknown>('/api/v1/metrics/active-instances', { signal })),
    settle(get<unknown>('/api/v1/metrics/risk-detected', { signal })),
    settle(get<unknown>('/api/v1/metrics/cost-savings', { signal })),
    settle(get<unknown>('/api/v1/metrics/optimizations', { signal })),
    settle(get<unknown>('/api/v1/metrics/optimization-rate', { signal })),
  ]);
  const ok = (v: unknown) => (v instanceof Error ? undefined : v);
  const errors: CardAnswer['errors'] = {};
  if (active instanceof Error) errors.activeInstances = active;
  if (risk instanceof Error) errors.risk24h = risk;
  if (savings instanceof Error) errors.savings = savings;
  if (opt instanceof Error && rate instanceof Error) errors.optimizations = opt;
  const rateValue = pickNumber(ok(rate), ['rate', 'ratio', 'optimizationRate', 'value']);
  return {
    errors,
    figures: {
      activeInstances: {
        total: pickNumber(ok(active), ['total', 'count', 'active', 'activeInstances']),
        spot: pickNumber(ok(active), ['spot']),
        onDemand: pickNumber(ok(active), ['onDemand', 'on-demand', 'on_demand']),
      },
      risk24h: {
        total: pickNumber(ok(risk), ['total', 'count']),
        notices: pickNumber(ok(risk), ['notices', 'interruptionNotices', 'interruptions']),
        rebalances: pickNumber(ok(risk), ['rebalances', 'rebalanceRecommendations']),
      },
      savings: {
        realized: pickNumber(sub(ok(savings), 'realized'), ['savingsUsd']) ?? pickNumber(ok(savings), ['realizedUsd']),
        projectedMonthly:
          pickNumber(sub(ok(savings), 'projectedMonthly'), ['savingsUsd']) ?? pickNumber(ok(savings), ['projectedMonthlyUsd']),
      },
      optimizations: {
        executed: pickNumber(ok(opt), ['executed', 'count', 'total', 'switches']),
        // The hub may answer a percentage or a ratio; the console shows ratios.
        rate: rateValue === null ? null : rateValue > 1 ? rateValue / 100 : rateValue,
      },
    },
  };
}

export interface FunnelStage {
  stage: string;
  reached: number;
  dropped: number;
}

export interface FunnelAnswer {
  from: string;
  to: string;
  stages: FunnelStage[];
  outcomes: Record<string, number>;
  total: number;
}

export const fetchFunnel = (hours: number, signal?: AbortSignal) =>
  get<FunnelAnswer>('/api/v1/pipeline/funnel', { query: { hours }, signal });

export interface ComponentStatus {
  name: string;
  health: 'ok' | 'degraded' | 'down' | string;
  latencyMs: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  logs: string[];
}

export interface PipelineStatus {
  components: ComponentStatus[];
  /** `storedPoints` counts every point the hub has stored since it started: two answers give a rate. */
  load: { ingestRate: number | null; queueDepth: number | null; storedPoints: number | null };
}

/** Points per second between two readings of the hub's stored-points counter; null without two, or after a hub restart. */
export function ingestRateBetween(
  before: { points: number; atMs: number } | null,
  after: { points: number; atMs: number } | null,
): number | null {
  if (!before || !after || after.atMs <= before.atMs || after.points < before.points) return null;
  return ((after.points - before.points) * 1000) / (after.atMs - before.atMs);
}

export async function fetchPipelineStatus(signal?: AbortSignal): Promise<PipelineStatus> {
  const body = await get<unknown>('/api/v1/pipeline/status', { signal });
  const raw = pickArray<Record<string, unknown>>(body, ['components', 'status']);
  const components = raw.map((c) => {
    const err = c.lastError;
    const errText = typeof err === 'string' ? err : err && typeof err === 'object' ? pickString(err, ['message']) : null;
    return {
      name: pickString(c, ['name', 'component', 'id']) ?? '?',
      health: pickString(c, ['health', 'status', 'state']) ?? 'unknown',
      latencyMs: pickNumber(c, ['latencyMs', 'latency_ms', 'p99Ms']),
      lastError: errText,
      lastErrorAt: err && typeof err === 'object' ? pickString(err, ['at']) : pickString(c, ['lastErrorAt']),
      logs: [
        ...pickArray<unknown>(c, ['logs', 'recentLogs', 'lines']).map((l) =>
          typeof l === 'string' ? l : (pickString(l, ['message', 'msg']) ?? JSON.stringify(l)),
        ),
        // The hub's per-component detail (queue depth, rates…) reads well as lines too.
        ...Object.entries((sub(c, 'detail') as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
      ],
    };
  });
  // System load: a top-level `load`, or whichever component's detail reports it (ingest).
  const sources = [sub(body, 'load'), body, ...raw.map((c) => sub(c, 'detail'))];
  const first = (keys: string[]) => sources.reduce<number | null>((found, s) => found ?? pickNumber(s, keys), null);
  return {
    components,
    load: {
      ingestRate: first(['ingestRate', 'ingestPerSecond', 'samplesPerSecond', 'samplesPerSec']),
      queueDepth: first(['queueDepth', 'queuedPoints', 'queue', 'pending']),
      storedPoints: first(['storedPoints']),
    },
  };
}

export interface ClusterRef {
  id: string;
  name: string;
  createdAt: string;
}

export interface ClientView {
  id: string;
  name: string;
  createdAt: string;
  clusters: ClusterRef[];
}

export const fetchClients = async (signal?: AbortSignal) => (await get<{ clients: ClientView[] }>('/api/v1/clients', { signal })).clients;

export interface TopologyNode {
  name: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  lifecycle: string;
  pool: string;
  pricePerHour: number | null;
  score: number | null;
  launchedAt: string | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  /** Whether the node's agent is connected now; null when the hub does not say. */
  connected: boolean | null;
  lastSeen: string | null;
}

export interface TopologyPool {
  name: string;
  nodes: TopologyNode[];
}

export interface TopologyCluster {
  id: string;
  name: string;
  pools: TopologyPool[];
}

function toNode(n: Record<string, unknown>, pool: string, capacityType: string | null): TopologyNode {
  return {
    name: pickString(n, ['name', 'node', 'nodeName']) ?? '?',
    instanceId: pickString(n, ['instanceId', 'id']) ?? '',
    instanceType: pickString(n, ['instanceType', 'type']) ?? '',
    zone: pickString(n, ['zone', 'availabilityZone', 'az']) ?? '',
    lifecycle: pickString(n, ['lifecycle', 'capacityType']) ?? capacityType ?? 'unspecified',
    pool: pickString(n, ['pool', 'nodePool']) ?? pool,
    pricePerHour: pickNumber(n, ['pricePerHour', 'price', 'hourlyPriceUsd']),
    score: pickNumber(n, ['score', 'poolScore']),
    launchedAt: pickString(n, ['launchedAt', 'createdAt', 'startedAt']),
    cpuPercent: pickNumber(n, ['cpuPercent', 'cpu']),
    memoryPercent: pickNumber(n, ['memoryPercent', 'memory']),
    connected: typeof n.connected === 'boolean' ? n.connected : null,
    lastSeen: pickString(n, ['lastSeen']),
  };
}

export async function fetchTopology(clientId: string, signal?: AbortSignal): Promise<TopologyCluster[]> {
  const body = await get<unknown>(`/api/v1/clients/${encodeURIComponent(clientId)}/topology`, { signal });
  return pickArray<Record<string, unknown>>(body, ['clusters']).map((c) => ({
    id: pickString(c, ['id', 'cluster']) ?? '?',
    name: pickString(c, ['name', 'id']) ?? '?',
    pools: pickArray<Record<string, unknown>>(c, ['nodePools', 'pools']).map((p) => {
      const capacityType = pickString(p, ['capacityType', 'lifecycle']);
      const poolName =
        pickString(p, ['name', 'pool', 'id']) ??
        [pickString(p, ['instanceType']), pickString(p, ['zone']), capacityType].filter((x) => x !== null).join(' · ');
      return {
        name: poolName,
        nodes: pickArray<Record<string, unknown>>(p, ['nodes']).map((n) => ({
          ...toNode(n, poolName, capacityType),
          instanceType: pickString(n, ['instanceType']) ?? pickString(p, ['instanceType']) ?? '',
          zone: pickString(n, ['zone']) ?? pickString(p, ['zone']) ?? '',
        })),
      };
    }),
  }));
}

export interface SavingsSeries {
  name: string;
  /** [unix seconds, on-demand cost, actual cost] */
  points: Array<[number, number, number]>;
}

export async function fetchSavingsOverview(clientId: string, mode: 'total' | 'cluster', signal?: AbortSignal): Promise<SavingsSeries[]> {
  const body = await get<unknown>(`/api/v1/clients/${encodeURIComponent(clientId)}/savings-overview`, { query: { mode }, signal });
  return pickArray<Record<string, unknown>>(body, ['series', 'clusters']).map((s) => ({
    name: pickString(s, ['name', 'cluster', 'clusterId']) ?? 'total',
    points: pickArray<Record<string, unknown>>(s, ['points', 'buckets']).map((p) => {
      const t = pickString(p, ['t', 'at', 'time', 'bucket']);
      const seconds = t ? Date.parse(t) / 1000 : (pickNumber(p, ['t', 'ts']) ?? 0);
      return [
        seconds,
        pickNumber(p, ['onDemandUsd', 'onDemand', 'onDemandCost']) ?? 0,
        pickNumber(p, ['actualUsd', 'actual', 'actualCost']) ?? 0,
      ];
    }),
  }));
}
