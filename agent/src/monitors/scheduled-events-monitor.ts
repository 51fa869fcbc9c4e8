import { ImdsMonitor, type ImdsMonitorOptions, type Reading } from './imds-monitor.ts';
import { parseEventTime } from './imds-time.ts';
import type { ScheduledEventNotice } from './notices.ts';

export const SCHEDULED_EVENTS_PATH = '/latest/meta-data/events/maintenance/scheduled';
/** Maintenance is scheduled days ahead; once a minute is plenty (NTH polls every 2 s). */
export const DEFAULT_SCHEDULED_EVENTS_POLL_INTERVAL_MS = 60_000;
/** A failed poll is retried sooner than the next minute, backing off up to the interval. */
const FIRST_RETRY_MS = 5_000;

/**
 * Polls `events/maintenance/scheduled` (a JSON array of
 * `{Code, Description, EventId, NotBefore, NotAfter, State}`, `[]` when there are none) and
 * reports each event when first seen and again whenever its State changes, including to
 * completed or canceled, which tells the consumer to stand down. One malformed entry is
 * counted and skipped; it does not hide the others (NTH drops the whole answer).
 */
export class ScheduledEventsMonitor extends ImdsMonitor {
  readonly name = 'scheduled-events';

  constructor(options: ImdsMonitorOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_SCHEDULED_EVENTS_POLL_INTERVAL_MS;
    super(options, SCHEDULED_EVENTS_PATH, { intervalMs, retryMinMs: Math.min(intervalMs, FIRST_RETRY_MS), retryMaxMs: intervalMs });
  }

  protected read(body: string): Reading {
    const json = this.parseJson(body);
    if (!json.ok) return { ok: false, notices: [] };
    if (!Array.isArray(json.value)) {
      this.problem('bad-shape', 'scheduled events answer is not a JSON array', { body: body.slice(0, 200) });
      return { ok: false, notices: [] };
    }
    const now = this.clock.now();
    const notices: Reading['notices'] = [];
    for (const e of json.value as unknown[]) {
      if (!isEventFields(e)) {
        this.problem('bad-shape', 'scheduled event without EventId, Code or State; skipped', {
          entry: JSON.stringify(e)?.slice(0, 200),
        });
        continue;
      }
      const key = `${e.EventId}|${e.State}`;
      if (this.isDelivered(key)) continue;
      notices.push({ key, notice: this.toNotice(e, now) });
    }
    return { ok: true, notices };
  }

  private toNotice(e: EventFields, now: number): ScheduledEventNotice {
    const notBefore = parseEventTime(e.NotBefore);
    if (notBefore === null) {
      this.problem('bad-time', 'scheduled event NotBefore unreadable; using now', { eventId: e.EventId, notBefore: e.NotBefore });
    }
    const notBeforeMs = notBefore ?? now;
    // EC2 may leave NotAfter out; then the window is the single instant NotBefore.
    let notAfterMs = notBeforeMs;
    if (e.NotAfter !== undefined && e.NotAfter !== '') {
      const parsed = parseEventTime(e.NotAfter);
      if (parsed === null) {
        this.problem('bad-time', 'scheduled event NotAfter unreadable; using NotBefore', { eventId: e.EventId, notAfter: e.NotAfter });
      }
      notAfterMs = parsed ?? notBeforeMs;
    }
    return {
      kind: 'scheduled-event',
      code: e.Code,
      eventId: e.EventId,
      notBeforeMs,
      notAfterMs,
      state: e.State,
      description: typeof e.Description === 'string' ? e.Description : '',
      detectedAtMs: now,
      timeUnparsable: notBefore === null,
    };
  }
}

interface EventFields {
  Code: string;
  EventId: string;
  State: string;
  Description?: unknown;
  NotBefore?: unknown;
  NotAfter?: unknown;
}

function isEventFields(entry: unknown): entry is EventFields {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return typeof e.EventId === 'string' && e.EventId !== '' && typeof e.Code === 'string' && typeof e.State === 'string';
}
