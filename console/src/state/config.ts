import { signal } from '@preact/signals';

const DEFAULT_REFRESH_MS = 5000;
// Below this the console would hammer the hub; tests use 500 ms.
const MIN_REFRESH_MS = 100;

/** Refresh interval from `?refresh=<ms>`, so tests and demos can run faster than 5 s. */
export function refreshIntervalMs(search: string): number {
  const raw = new URLSearchParams(search).get('refresh');
  if (raw === null) return DEFAULT_REFRESH_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < MIN_REFRESH_MS) return DEFAULT_REFRESH_MS;
  return Math.round(ms);
}

/** Read once at start: a client-side navigation drops the query string, the interval stays. */
export const refreshMs = signal(typeof window === 'undefined' ? DEFAULT_REFRESH_MS : refreshIntervalMs(window.location.search));

/** Agents: the issue asks for a refresh every 30 s at most. */
export const agentsRefreshMs = () => Math.min(refreshMs.value, 30_000);
