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

/** An API failure carrying the hub's error code and message, so the UI can show them verbatim. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; parameter?: unknown };
}

async function toApiError(res: Response): Promise<ApiError> {
  const fallback = `HTTP ${res.status} ${res.statusText}`.trim();
  // Proxies and crashed hubs answer with HTML or nothing; keep the status in that case.
  let body: ErrorBody | undefined;
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    return new ApiError(fallback, res.status, 'HTTP_ERROR');
  }
  const e = body?.error;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : fallback;
  const code = typeof e?.code === 'string' ? e.code : 'HTTP_ERROR';
  const parameter = typeof e?.parameter === 'string' ? e.parameter : undefined;
  return new ApiError(message, res.status, code, parameter);
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw await toApiError(res);
  return (await res.json()) as T;
}

export async function fetchNodes(signal?: AbortSignal): Promise<NodeInfo[]> {
  const body = await getJson<{ nodes: NodeInfo[] }>('/api/v1/nodes', signal);
  return body.nodes;
}

export interface CpuQuery {
  node: string;
  /** unix seconds */
  start: number;
  /** unix seconds */
  end: number;
  stepSeconds: number;
}

export async function fetchCpuSeries(q: CpuQuery, signal?: AbortSignal): Promise<MetricsQueryResult> {
  const params = new URLSearchParams({
    metric: 'node_cpu_usage_percent',
    'match[node]': q.node,
    start: String(Math.floor(q.start)),
    end: String(Math.ceil(q.end)),
    step: `${q.stepSeconds}s`,
  });
  return getJson<MetricsQueryResult>(`/api/v1/metrics/query?${params}`, signal);
}
