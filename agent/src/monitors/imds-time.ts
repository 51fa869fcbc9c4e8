/**
 * Strict parsers for the two time formats IMDS uses. `Date.parse` is not used on raw input:
 * it accepts almost anything ("soon 1" parses on V8) and would turn garbage into a deadline.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 (`2026-11-23T03:55:00Z`): spot `instance-action` time and rebalance `noticeTime`. Null when unreadable. */
export function parseRfc3339(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as [string, string, string, string, string, string, string, string?, string?];
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const utc = validUtc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (utc === null || !zone) return null;
  if (zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  return utc - sign * offsetMin * 60_000;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EVENT_TIME = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Scheduled-event NotBefore/NotAfter (`21 Jan 2019 09:00:43 GMT`; the day with one or two digits). Null when unreadable. */
export function parseEventTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = EVENT_TIME.exec(text.trim());
  if (!m) return null;
  const [, d, mon, y, h, mi, s] = m as unknown as [string, string, string, string, string, string, string];
  const month = MONTHS.indexOf(mon);
  return month < 0 ? null : validUtc(Number(y), month, Number(d), Number(h), Number(mi), Number(s), 0);
}

/** Date.UTC silently rolls 31 Feb into March; a date that does not round-trip is refused. */
function validUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (h > 23 || mi > 59 || s > 60) return null;
  const t = Date.UTC(y, mo, d, h, mi, Math.min(s, 59), ms);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo && back.getUTCDate() === d ? t : null;
}
