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
