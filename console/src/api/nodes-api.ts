import { get } from './http.ts';

export type Lifecycle = 'unspecified' | 'spot' | 'on-demand';

export interface NodeInfo {
  tenant: string;
  cluster: string;
  node: string;
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  lifecycle: Lifecycle;
  agentVersion: string;
  connected: boolean;
  /** ISO 8601 timestamp. */
  lastSeen: string;
  /** Present when the hub reports the agent's disk buffer; older hubs do not. */
  bufferDepth?: number;
}

/** [unix seconds, value] */
export type Point = [number, number];

export interface Series {
  labels: Record<string, string>;
  points: Point[];
}

export interface MetricsQueryResult {
  metric: string;
  resolution: string;
  step: number;
  series: Series[];
}

export async function fetchNodes(signal?: AbortSignal): Promise<NodeInfo[]> {
  return (await get<{ nodes: NodeInfo[] }>('/api/v1/nodes', { signal })).nodes;
}

export interface SeriesQuery {
  metric: string;
  /** Label matchers, e.g. { node: 'ip-10-0-0-1' }. */
  match: Record<string, string>;
  /** unix seconds */
  start: number;
  /** unix seconds */
  end: number;
  stepSeconds: number;
}

export function fetchSeries(q: SeriesQuery, signal?: AbortSignal): Promise<MetricsQueryResult> {
  const query: Record<string, string> = {
    metric: q.metric,
    start: String(Math.floor(q.start)),
    end: String(Math.ceil(q.end)),
    step: `${q.stepSeconds}s`,
  };
  for (const [k, v] of Object.entries(q.match)) query[`match[${k}]`] = v;
  return get<MetricsQueryResult>('/api/v1/metrics/query', { query, signal });
}

export const fetchMetricNames = async (signal?: AbortSignal) =>
  (await get<{ names?: string[]; metrics?: string[] }>('/api/v1/metrics/names', { signal })) ?? {};
