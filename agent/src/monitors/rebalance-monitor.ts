import { ImdsMonitor, type ImdsMonitorOptions, type Reading } from './imds-monitor.ts';
import { parseRfc3339 } from './imds-time.ts';
import { DEFAULT_SPOT_POLL_INTERVAL_MS, SPOT_MAX_RETRY_MS } from './spot-interruption-monitor.ts';

export const REBALANCE_PATH = '/latest/meta-data/events/recommendations/rebalance';

const FAILED: Reading = { ok: false, notices: [] };

/**
 * Polls `events/recommendations/rebalance` (404 until EC2 recommends it, then
 * `{"noticeTime":"…"}`) and reports each distinct noticeTime once. A recommendation often
 * comes minutes before an interruption, so it is polled as often as the spot notice.
 */
export class RebalanceMonitor extends ImdsMonitor {
  readonly name = 'rebalance-recommendation';

  constructor(options: ImdsMonitorOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_SPOT_POLL_INTERVAL_MS;
    super(options, REBALANCE_PATH, { intervalMs, retryMinMs: Math.min(intervalMs, SPOT_MAX_RETRY_MS), retryMaxMs: SPOT_MAX_RETRY_MS });
  }

  protected read(body: string): Reading {
    const json = this.parseJson(body);
    if (!json.ok) return FAILED;
    const value = json.value as { noticeTime?: unknown } | null;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !('noticeTime' in value)) {
      this.problem('bad-shape', 'rebalance recommendation is not {"noticeTime"}', { body: body.slice(0, 200) });
      return FAILED;
    }
    const key = String(value.noticeTime);
    if (this.isDelivered(key)) return { ok: true, notices: [] };
    const now = this.clock.now();
    const parsed = parseRfc3339(value.noticeTime);
    // A past noticeTime is normal here (it is when EC2 issued it); only an unreadable one is odd.
    if (parsed === null) this.problem('bad-time', 'rebalance noticeTime unreadable; using now', { noticeTime: value.noticeTime });
    return {
      ok: true,
      notices: [
        {
          key,
          notice: {
            kind: 'rebalance-recommendation',
            noticeTimeMs: parsed ?? now,
            detectedAtMs: now,
            timeUnparsable: parsed === null,
            raw: body,
          },
        },
      ],
    };
  }
}
