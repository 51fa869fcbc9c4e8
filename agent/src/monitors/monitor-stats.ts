/**
 * Why a poll's answer could not be used (or was suspicious). The first group fails the poll
 * and triggers backoff; `past-time`, `bad-time`, `unknown-action` and `sink` still deliver
 * (or retry delivering) a notice and are counted so an operator sees them.
 */
export type MonitorErrorReason =
  | 'timeout'
  | 'unreachable'
  | 'token'
  | 'http-status'
  | 'bad-json'
  | 'bad-shape'
  | 'past-time'
  | 'bad-time'
  | 'unknown-action'
  | 'sink';

export interface MonitorStats {
  polls: number;
  /** Polls that failed outright (the next one is backed off). */
  failedPolls: number;
  consecutiveFailures: number;
  notices: number;
  monitorErrors: Partial<Record<MonitorErrorReason, number>>;
  lastPollDurationMs: number;
  maxPollDurationMs: number;
  lastSuccessAtMs: number | null;
}

export function emptyStats(): MonitorStats {
  return {
    polls: 0,
    failedPolls: 0,
    consecutiveFailures: 0,
    notices: 0,
    monitorErrors: {},
    lastPollDurationMs: 0,
    maxPollDurationMs: 0,
    lastSuccessAtMs: null,
  };
}

export function countError(stats: MonitorStats, reason: MonitorErrorReason): void {
  stats.monitorErrors[reason] = (stats.monitorErrors[reason] ?? 0) + 1;
}

/** Sums the error counts of several monitors (what /metrics exposes as monitorErrors{reason}). */
export function sumErrors(all: MonitorStats[]): Partial<Record<MonitorErrorReason, number>> {
  const out: Partial<Record<MonitorErrorReason, number>> = {};
  for (const s of all) {
    for (const [reason, n] of Object.entries(s.monitorErrors) as [MonitorErrorReason, number][]) out[reason] = (out[reason] ?? 0) + n;
  }
  return out;
}
