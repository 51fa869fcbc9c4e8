import { ImdsMonitor, type ImdsMonitorOptions, type Reading } from './imds-monitor.ts';
import { parseRfc3339 } from './imds-time.ts';
import type { SpotAction } from './notices.ts';

export const SPOT_INSTANCE_ACTION_PATH = '/latest/meta-data/spot/instance-action';
/** EC2 gives two minutes; when the notice's time is unreadable we assume all of it is left. */
export const SPOT_NOTICE_LEAD_MS = 120_000;
/** AWS suggests checking every 5 s; NTH checks every 2 s. The poll is one small GET, so 1 s is cheap. */
export const DEFAULT_SPOT_POLL_INTERVAL_MS = 1_000;
/** However long IMDS keeps failing, retries stay this close: a 2-minute notice cannot wait longer. */
export const SPOT_MAX_RETRY_MS = 5_000;

const ACTIONS: readonly string[] = ['terminate', 'stop', 'hibernate'] satisfies SpotAction[];
const FAILED: Reading = { ok: false, notices: [] };

/**
 * Polls `spot/instance-action` (404 until EC2 decides to interrupt, then
 * `{"action":"terminate","time":"2026-11-23T03:55:00Z"}`) and reports each distinct
 * action+time once. Unlike NTH, a notice whose time is unreadable or already past is still
 * reported — the instance is going away either way — with the deadline moved to a safe value
 * and the oddity flagged and counted.
 */
export class SpotInterruptionMonitor extends ImdsMonitor {
  readonly name = 'spot-interruption';

  constructor(options: ImdsMonitorOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_SPOT_POLL_INTERVAL_MS;
    super(options, SPOT_INSTANCE_ACTION_PATH, {
      intervalMs,
      retryMinMs: Math.min(intervalMs, SPOT_MAX_RETRY_MS),
      retryMaxMs: SPOT_MAX_RETRY_MS,
    });
  }

  protected read(body: string): Reading {
    const json = this.parseJson(body);
    if (!json.ok) return FAILED;
    const value = json.value as { action?: unknown; time?: unknown } | null;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof value.action !== 'string') {
      this.problem('bad-shape', 'spot instance-action is not {"action","time"}', { body: body.slice(0, 200) });
      return FAILED;
    }
    const key = `${value.action}|${String(value.time)}`;
    if (this.isDelivered(key)) return { ok: true, notices: [] };

    const now = this.clock.now();
    let action = value.action as SpotAction;
    if (!ACTIONS.includes(value.action)) {
      // A new action word from AWS still means the instance is being taken: treat it as the harshest.
      this.problem('unknown-action', 'unknown spot action; treating it as terminate', { action: value.action });
      action = 'terminate';
    }
    const parsed = parseRfc3339(value.time);
    let deadlineMs = parsed ?? now + SPOT_NOTICE_LEAD_MS;
    const late = parsed !== null && parsed < now;
    if (parsed === null) {
      this.problem('bad-time', 'spot notice time unreadable; assuming the full two minutes', { time: value.time });
    } else if (late) {
      this.problem('past-time', 'spot notice time already past; acting now', { time: value.time, behindMs: now - parsed });
      deadlineMs = now;
    }
    return {
      ok: true,
      notices: [
        {
          key,
          notice: { kind: 'spot-interruption', action, deadlineMs, detectedAtMs: now, late, timeUnparsable: parsed === null, raw: body },
        },
      ],
    };
  }
}
