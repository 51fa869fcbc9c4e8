import { del, get, post } from './http.ts';
import type { Submitted } from './jobs-api.ts';
import { pickArray, pickNumber, pickString } from './pick.ts';

/** Instance detail and the force-on-demand control at its three levels. */

export interface SwitchEntry {
  at: string;
  from: string;
  to: string;
  reason: string;
  savingsPerHour: number | null;
  jobId: string | null;
  /** e.g. switched, rolled-back; null while the switch runs. */
  outcome: string | null;
  /** The instance that replaced this one, or this one when it is the replacement. */
  replacementId: string | null;
}

const poolText = (p: unknown): string => {
  if (typeof p === 'string') return p;
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    return [o.instanceType, o.zone ?? o.availabilityZone, o.capacityType].filter((x) => typeof x === 'string').join(' · ');
  }
  return '–';
};

export async function fetchSwitchHistory(instanceId: string, signal?: AbortSignal): Promise<SwitchEntry[]> {
  const body = await get<unknown>(`/api/v1/instances/${encodeURIComponent(instanceId)}/switch-history`, { signal });
  return pickArray<Record<string, unknown>>(body, ['switches', 'history', 'entries']).map((s) => ({
    at: pickString(s, ['at', 'finishedAt', 'startedAt', 'createdAt']) ?? '',
    from: poolText(s.from ?? s.fromPool),
    to: poolText(s.to ?? s.toPool),
    reason: pickString(s, ['reason', 'why', 'trigger']) ?? '',
    savingsPerHour: pickNumber(s, ['savingsPerHour', 'savingsPerHourUsd']),
    jobId: pickString(s, ['jobId']),
    outcome: pickString(s, ['outcome']),
    replacementId: pickString(s, ['replacementId']),
  }));
}

export interface Alternative {
  pool: string;
  pricePerHour: number | null;
  score: number | null;
  breakdown: Array<{ factor: string; value: number }>;
}

export async function fetchAlternatives(instanceId: string, signal?: AbortSignal): Promise<Alternative[]> {
  const body = await get<unknown>(`/api/v1/instances/${encodeURIComponent(instanceId)}/alternatives`, { signal });
  return pickArray<Record<string, unknown>>(body, ['alternatives', 'pools']).map((a) => {
    const score = a.score !== null && typeof a.score === 'object' ? (a.score as Record<string, unknown>) : undefined;
    const raw = a.breakdown ?? score?.contributions ?? a.factors ?? a.scoreBreakdown;
    const breakdown =
      raw && typeof raw === 'object'
        ? Array.isArray(raw)
          ? (raw as Array<Record<string, unknown>>).map((f) => ({
              factor: pickString(f, ['factor', 'name']) ?? '?',
              value: pickNumber(f, ['value', 'score', 'contribution']) ?? 0,
            }))
          : Object.entries(raw as Record<string, unknown>)
              .filter(([, v]) => typeof v === 'number')
              .map(([factor, v]) => ({ factor, value: v as number }))
        : [];
    return {
      pool: pickString(a, ['poolId', 'pool']) ?? poolText(a),
      pricePerHour: pickNumber(a, ['pricePerHour', 'price']),
      score: pickNumber(a, ['score', 'total']),
      breakdown,
    };
  });
}

export type OverrideLevel = 'instances' | 'clusters' | 'clients';

export interface OverrideView {
  id: string;
  /** instance, cluster or client. */
  level: string;
  target: string;
  clusterId: string | null;
  reason: string | null;
  createdAt: string | null;
  /** null: until lifted. */
  expiresAt: string | null;
  createdBy: string | null;
}

/** The hub's override levels (singular) → the path segment of the force-on-demand endpoints. */
export const OVERRIDE_PATHS: Record<string, OverrideLevel> = { instance: 'instances', cluster: 'clusters', client: 'clients' };

/** `hours` null = until lifted. Answers the parent job that replaces the spot nodes. */
export const forceOnDemand = (level: OverrideLevel, id: string, hours: number | null) =>
  post<Submitted & Record<string, unknown>>(
    `/api/v1/${level}/${encodeURIComponent(id)}/force-on-demand`,
    hours === null ? {} : { duration_hours: hours },
  );

export const liftForceOnDemand = (level: OverrideLevel, id: string) =>
  del<unknown>(`/api/v1/${level}/${encodeURIComponent(id)}/force-on-demand`);

export async function fetchOverrides(signal?: AbortSignal): Promise<OverrideView[]> {
  const body = await get<unknown>('/api/v1/overrides', { signal });
  return pickArray<Record<string, unknown>>(body, ['overrides']).map((o) => ({
    id: pickString(o, ['id']) ?? '',
    level: pickString(o, ['level', 'scope']) ?? '',
    target: pickString(o, ['target', 'targetId', 'instanceId', 'clusterId', 'clientId']) ?? '',
    clusterId: pickString(o, ['clusterId']),
    reason: pickString(o, ['reason']),
    createdAt: pickString(o, ['createdAt']),
    expiresAt: pickString(o, ['expiresAt']),
    createdBy: pickString(o, ['createdBy', 'requestedBy']),
  }));
}
