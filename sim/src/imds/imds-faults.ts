/**
 * Faults an IMDS server can be told to inject, so agent tests can prove the agent survives
 * what a real metadata service occasionally does: 500s, garbage, slowness, stale notices.
 * Path matching is by substring of the request path (e.g. `instance-action`).
 */
export interface ImdsFaults {
  /** `true`: every `/latest/...` request (token PUTs included) answers 500; a string: only paths containing it. */
  status500?: boolean | string;
  /** GETs of paths containing this answer 200 with a body that is not JSON (and not a time either). */
  garbageBody?: string;
  /** Real (wall-clock) milliseconds to wait before answering, to drive the agent's HTTP timeouts. */
  delayMs?: number;
  /** Replaces the time in `spot/instance-action`, `spot/termination-time` and the rebalance `noticeTime`. */
  noticeTimeOverride?: string;
}

/** What `garbageBody` answers with: truncated JSON, the likeliest real-world corruption. */
export const GARBAGE_BODY = '{"action": "terminate", "time": "20';

/** Longest accepted delay; anything longer is a mistake that would stall a test run. */
export const MAX_FAULT_DELAY_MS = 600_000;

/** Validates faults arriving as JSON over the control endpoint; throws with the offending field named. */
export function parseFaults(value: unknown): ImdsFaults {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('faults must be a JSON object');
  const input = value as Record<string, unknown>;
  const known = new Set(['status500', 'garbageBody', 'delayMs', 'noticeTimeOverride']);
  // Unknown keys are refused: a typo would otherwise silently inject nothing and the test would pass for the wrong reason.
  for (const key of Object.keys(input)) if (!known.has(key)) throw new Error(`unknown fault "${key}"`);
  const faults: ImdsFaults = {};
  const { status500, garbageBody, delayMs, noticeTimeOverride } = input;
  if (status500 !== undefined) {
    if (typeof status500 !== 'boolean' && (typeof status500 !== 'string' || status500 === '')) {
      throw new Error('status500 must be a boolean or a non-empty path substring');
    }
    faults.status500 = status500;
  }
  if (garbageBody !== undefined) {
    if (typeof garbageBody !== 'string' || garbageBody === '') throw new Error('garbageBody must be a non-empty path substring');
    faults.garbageBody = garbageBody;
  }
  if (delayMs !== undefined) {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_FAULT_DELAY_MS) {
      throw new Error(`delayMs must be a number from 0 to ${MAX_FAULT_DELAY_MS}`);
    }
    faults.delayMs = delayMs;
  }
  if (noticeTimeOverride !== undefined) {
    if (typeof noticeTimeOverride !== 'string') throw new Error('noticeTimeOverride must be a string');
    faults.noticeTimeOverride = noticeTimeOverride;
  }
  return faults;
}

export function matchesPath(rule: boolean | string | undefined, path: string): boolean {
  return rule === true || (typeof rule === 'string' && rule !== '' && path.includes(rule));
}
