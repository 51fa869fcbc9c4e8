import { del, get, post, put } from './http.ts';
import type { Submitted } from './jobs-api.ts';

/** The words the hub wants back before it disables spot everywhere. */
export const KILL_SWITCH_PHRASE = 'disable spot';

/**
 * `engaged` true = the kill switch is on: spot disabled platform-wide; false = spot allowed
 * again. `typed` is what the person typed to confirm, sent as is: the hub checks the phrase
 * too, so a console that let a wrong phrase through would still be refused.
 */
export const setKillSwitch = (engaged: boolean, note: string, typed = '') =>
  post<Submitted>('/api/v1/admin/kill-switch', engaged ? { enabled: true, confirm: typed.trim(), note } : { enabled: false, note });

export interface KillSwitchState {
  spotDisabled: boolean;
  changedBy: string | null;
  changedAt: string | null;
  jobId: string | null;
}

export const fetchKillSwitch = (signal?: AbortSignal) => get<KillSwitchState>('/api/v1/admin/kill-switch', { signal });

export const recomputeRisk = () => post<{ computedAt: string; pools: number; model: unknown }>('/api/v1/admin/recompute-risk', {});

export interface ScoringModel {
  id: string;
  name: string;
  version: number | string;
  status: string;
  createdAt: string;
  createdBy: string;
  promotedAt: string | null;
  model: unknown;
}

export const fetchModels = async (signal?: AbortSignal) =>
  (await get<{ models: ScoringModel[] }>('/api/v1/scoring/models', { signal })).models;
export const uploadModel = (model: unknown) => post<ScoringModel>('/api/v1/scoring/models', model);
export const promoteModel = (id: string) => post<ScoringModel>(`/api/v1/scoring/models/${encodeURIComponent(id)}/promote`, {});
export const setShadow = (id: string) => put<ScoringModel>('/api/v1/scoring/shadow', { id });
export const clearShadow = () => del<unknown>('/api/v1/scoring/shadow');

export interface PoolRow {
  poolId: string;
  instanceType: string;
  zone: string;
  capacityType: string;
  /** The active model's score, 0–1 (the hub spreads the pool's PoolScore into the row). */
  total?: number;
  score?: number | { total?: number; [k: string]: unknown };
  shadowScore?: number | { total?: number; [k: string]: unknown };
  price: { perHour: number } | null;
  [k: string]: unknown;
}

export const fetchPools = (signal?: AbortSignal, limit = 200) =>
  get<{ computedAt: string; total: number; pools: PoolRow[]; model: unknown; shadow: unknown }>('/api/v1/pools', {
    query: { limit },
    signal,
  });
