import { describe, expect, it } from 'vitest';
import { formatBytes, formatDateTime, formatDuration, formatMoney, formatPercent, timeAgo } from '../../src/lib/format.ts';

describe('unit formatting', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(500 * 1024 ** 3)).toBe('500 GiB');
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
    expect(formatBytes(Number.NaN)).toBe('–');
  });

  it('formats money: cents, sub-dollar prices to four places, large totals compact', () => {
    expect(formatMoney(1234.5)).toBe('$1,234.50');
    expect(formatMoney(0.0416)).toBe('$0.0416');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(-12)).toBe('-$12.00');
    expect(formatMoney(1_250_000)).toBe('$1.3M');
    expect(formatMoney(null)).toBe('–');
  });

  it('formats durations with the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(400)).toBe('<1s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(90 * 60_000)).toBe('1h 30m');
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000 + 59_000)).toBe('2d 4h');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(-120_000)).toBe('-2m');
  });

  it('says how long ago, clamping clock skew to zero', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(timeAgo('2026-01-01T11:59:48Z', now)).toBe('12s ago');
    expect(timeAgo('2026-01-01T12:00:05Z', now)).toBe('0s ago');
    expect(timeAgo('2025-12-29T12:00:00Z', now)).toBe('3d ago');
    expect(timeAgo(null, now)).toBe('never');
  });

  it('shows times in the given zone, named', () => {
    expect(formatDateTime('2026-01-01T12:00:00Z', 'UTC')).toBe('01 Jan 2026, 12:00:00 UTC');
    expect(formatDateTime('2026-01-01T12:00:00Z', 'Asia/Tokyo')).toBe('01 Jan 2026, 21:00:00 GMT+9');
    expect(formatDateTime('not a date')).toBe('–');
  });

  it('formats ratios as percentages', () => {
    expect(formatPercent(0.873)).toBe('87.3%');
    expect(formatPercent(1, 0)).toBe('100%');
    expect(formatPercent(undefined)).toBe('–');
  });
});
