/**
 * Unit formatting used on every page. Pure functions of their inputs (the clock and the
 * time zone are passed in), so component tests can pin them.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units, as the kubelet and AWS report memory and volume sizes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const sign = bytes < 0 ? '-' : '';
  return `${sign}${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${BYTE_UNITS[i]}`;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdCompact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const usdPrecise = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 4,
  maximumFractionDigits: 4,
});

/**
 * Dollars. Spot prices per hour are fractions of a cent apart, so amounts under $1 keep four
 * decimals; large totals go compact ($12.3K) so cards stay one line.
 */
export function formatMoney(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '–';
  const abs = Math.abs(amount);
  if (abs !== 0 && abs < 1) return usdPrecise.format(amount);
  if (abs >= 100_000) return usdCompact.format(amount);
  return usd.format(amount);
}

/** "1h 30m", "2d 4h", "45s": the two largest non-zero units. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  if (s === 0) return Math.abs(ms) > 0 ? `${sign}<1s` : '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return sign + parts.join(' ');
}

/** "12s ago"; switches to m/h/d so a long-gone node does not read "259200s ago". */
export function timeAgo(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'never';
  // Clock skew between hub and browser can put a time slightly in the future.
  const s = Math.max(0, Math.floor((nowMs - then) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/**
 * A time in the viewer's time zone (the browser's unless one is given), with the zone's
 * short name so a screenshot pasted into an incident channel is unambiguous.
 */
export function formatDateTime(iso: string | number | null | undefined, timeZone?: string): string {
  if (iso === null || iso === undefined) return '–';
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return '–';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  }).format(ms);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)}%`;
}

const count = new Intl.NumberFormat('en-US');
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return count.format(n);
}
