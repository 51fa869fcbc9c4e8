import { ApiException } from '@kubernetes/client-node';
import { ClusterApiError, kindForStatus } from './cluster-api-error.ts';
import type { EvictionResult } from './cluster-types.ts';

/** The parts of a metav1.Status body that callers branch on. */
export interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ reason?: string; message?: string }>; retryAfterSeconds?: number };
}

export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** client-node 1.x hands the error body over as the raw response text. */
export function statusBodyOf(err: unknown): StatusBody {
  const body = (err as { body?: unknown } | null)?.body;
  if (body && typeof body === 'object') return body as StatusBody;
  if (typeof body !== 'string' || body === '') return {};
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as StatusBody) : {};
  } catch {
    return { message: body };
  }
}

function retryAfterOf(err: unknown, body: StatusBody): number | undefined {
  if (body.details?.retryAfterSeconds !== undefined) return body.details.retryAfterSeconds;
  const header = (err as { headers?: Record<string, string> } | null)?.headers?.['retry-after'];
  const n = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(n) ? n : undefined;
}

/** Wraps whatever the client threw; `what` names the call for the message (`patch node ip-10-0-0-1`). */
export function toClusterApiError(err: unknown, what: string): ClusterApiError {
  if (err instanceof ClusterApiError) return err;
  const status = httpStatusOf(err);
  if (status === undefined) {
    // No HTTP answer: refused connection, DNS, TLS, or our own request timeout (AbortError).
    const detail = err instanceof Error ? err.message : String(err);
    return new ClusterApiError('unavailable', `${what}: API server unreachable: ${detail}`, undefined, { cause: err });
  }
  const body = statusBodyOf(err);
  const message = body.message ?? `HTTP ${status}`;
  let kind = kindForStatus(status);
  // The eviction subresource answers 500 when several budgets select the pod: a configuration
  // error that no retry fixes.
  if (status === 500 && /more than one PodDisruptionBudget/i.test(message)) kind = 'invalid';
  return new ClusterApiError(kind, `${what}: ${message}`, status, { cause: err });
}

const BUDGET_NAME = /disruption budget (\S+?)[\s.]/i;

/**
 * Reads an eviction's refusal. A 429 is a budget refusal only when a cause has reason
 * `DisruptionBudget`; the same code is also the API server's plain rate limiting.
 */
export function evictionRefusal(err: unknown): EvictionResult | undefined {
  const status = httpStatusOf(err);
  if (status === 404) return { outcome: 'not-found', message: statusBodyOf(err).message ?? 'pod not found' };
  if (status !== 429) return undefined;
  const body = statusBodyOf(err);
  const cause = body.details?.causes?.find((c) => c.reason === 'DisruptionBudget');
  const retryAfterSeconds = retryAfterOf(err, body);
  const result: EvictionResult = cause
    ? { outcome: 'blocked-by-pdb', message: cause.message ?? body.message ?? 'blocked by a disruption budget' }
    : { outcome: 'too-many-requests', message: body.message ?? 'too many requests' };
  const name = cause?.message ? BUDGET_NAME.exec(`${cause.message} `)?.[1] : undefined;
  if (name) result.pdbName = name;
  if (retryAfterSeconds !== undefined) result.retryAfterSeconds = retryAfterSeconds;
  return result;
}
