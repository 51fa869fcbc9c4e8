import { awsTime, scheduledEventTime } from '@ballast/sim';
import { describe, expect, it } from 'vitest';
import { parseEventTime, parseRfc3339 } from '../../src/monitors/imds-time.ts';

describe('parseRfc3339 (spot instance-action time, rebalance noticeTime)', () => {
  it('reads what IMDS writes', () => {
    expect(parseRfc3339('2026-11-23T03:55:00Z')).toBe(Date.UTC(2026, 10, 23, 3, 55, 0));
    const t = Date.UTC(2030, 0, 31, 23, 59, 59);
    expect(parseRfc3339(awsTime(t))).toBe(t);
  });

  it('accepts fractions and offsets', () => {
    expect(parseRfc3339('2026-11-23T03:55:00.250Z')).toBe(Date.UTC(2026, 10, 23, 3, 55, 0, 250));
    expect(parseRfc3339('2026-11-23T05:55:00+02:00')).toBe(Date.UTC(2026, 10, 23, 3, 55, 0));
  });

  it.each(['soon', '20', '2026-11-23', '2026-11-23 03:55:00Z', '2026-02-31T00:00:00Z', '2026-11-23T24:00:00Z', '2026-11-23T03:55:00', ''])(
    'refuses %j instead of guessing',
    (text) => {
      expect(parseRfc3339(text)).toBeNull();
    },
  );

  it('refuses non-strings', () => {
    for (const v of [undefined, null, 1_700_000_000_000, {}]) expect(parseRfc3339(v)).toBeNull();
  });
});

describe('parseEventTime (scheduled event NotBefore/NotAfter)', () => {
  it('reads one- and two-digit days', () => {
    expect(parseEventTime('21 Jan 2019 09:00:43 GMT')).toBe(Date.UTC(2019, 0, 21, 9, 0, 43));
    expect(parseEventTime('5 Feb 2019 09:00:43 GMT')).toBe(Date.UTC(2019, 1, 5, 9, 0, 43));
    expect(parseEventTime('05 Feb 2019 09:00:43 GMT')).toBe(Date.UTC(2019, 1, 5, 9, 0, 43));
  });

  it('round-trips the simulator format', () => {
    const t = Date.UTC(2026, 11, 1, 7, 8, 9);
    expect(parseEventTime(scheduledEventTime(t))).toBe(t);
  });

  it.each([
    '21 January 2019 09:00:43 GMT',
    '21 Jan 2019 09:00:43',
    '31 Feb 2019 09:00:43 GMT',
    'NaN Undefined NaN NaN:NaN:NaN GMT',
    '2019-01-21T09:00:43Z',
  ])('refuses %j', (text) => {
    expect(parseEventTime(text)).toBeNull();
  });
});
