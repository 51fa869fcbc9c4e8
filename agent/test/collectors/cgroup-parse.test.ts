import { describe, expect, it } from 'vitest';
import { keyedValue, parseBlkioServiceBytes, parseIoStat, parsePressure, parseSingleValue } from '../../src/collectors/cgroup/parse.ts';

describe('parseSingleValue', () => {
  it('reads one integer with its newline, and rejects anything else', () => {
    expect(parseSingleValue('536870912\n')).toBe(536870912);
    expect(parseSingleValue('0')).toBe(0);
    expect(parseSingleValue('')).toBe('malformed');
    expect(parseSingleValue('max\n')).toBe('malformed');
    expect(parseSingleValue('-1\n')).toBe('malformed');
    expect(parseSingleValue('12 34\n')).toBe('malformed');
  });

  it('keeps counters past 2^53 as the nearest double rather than failing', () => {
    expect(parseSingleValue('18446744073709551615\n')).toBe(2 ** 64);
  });
});

describe('keyedValue', () => {
  const stat = 'usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 7\nnr_throttled x\n';

  it('finds a key on the first line and on later lines', () => {
    expect(keyedValue(stat, 'usage_usec')).toBe(100);
    expect(keyedValue(stat, 'nr_periods')).toBe(7);
  });

  it('tells an absent key from a malformed value', () => {
    expect(keyedValue(stat, 'throttled_usec')).toBe('absent');
    expect(keyedValue(stat, 'nr_throttled')).toBe('malformed');
  });

  it('does not match a key that is a suffix or prefix of another', () => {
    const mem = 'inactive_file 10\ntotal_inactive_file 30\n';
    expect(keyedValue(mem, 'inactive_file')).toBe(10);
    expect(keyedValue(mem, 'total_inactive_file')).toBe(30);
    expect(keyedValue('total_inactive_file 30\n', 'inactive_file')).toBe('absent');
    expect(keyedValue('usage_usec_x 5\n', 'usage_usec')).toBe('absent');
  });

  it('reads a last line without a newline', () => {
    expect(keyedValue('oom 3\noom_kill 2', 'oom_kill')).toBe(2);
  });
});

describe('parsePressure', () => {
  it('reads some and full lines', () => {
    expect(
      parsePressure('some avg10=12.34 avg60=8.50 avg300=3.21 total=45678901\nfull avg10=10.01 avg60=7.00 avg300=2.50 total=40123456\n'),
    ).toEqual({
      some: { avg10: 12.34, avg60: 8.5, avg300: 3.21, totalUsec: 45678901 },
      full: { avg10: 10.01, avg60: 7, avg300: 2.5, totalUsec: 40123456 },
    });
  });

  it('accepts a file with only the some line (cpu before 5.13)', () => {
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toEqual({
      some: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 0 },
    });
  });

  it.each([
    ['a non-number', 'some avg10=abc avg60=0.00 avg300=0.00 total=1\n'],
    ['a missing field', 'some avg10=0.00 avg60=0.00 total=1\n'],
    ['an unknown line', 'most avg10=0.00 avg60=0.00 avg300=0.00 total=1\n'],
    ['no some line', 'full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n'],
    ['an empty file', ''],
    ['a negative total', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n'],
  ])('rejects %s', (_name, text) => {
    expect(parsePressure(text)).toBe('malformed');
  });
});

describe('parseIoStat', () => {
  it('sums rbytes and wbytes over devices and ignores the other keys', () => {
    const text =
      '259:0 rbytes=1000000 wbytes=2000000 rios=10 wios=20 dbytes=0 dios=0\n259:1 rbytes=500 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n';
    expect(parseIoStat(text)).toEqual({ readBytes: 1000500, writeBytes: 2000000 });
  });

  it('reads an empty file as no IO yet', () => {
    expect(parseIoStat('')).toEqual({ readBytes: 0, writeBytes: 0 });
  });

  it('rejects a bad value or device', () => {
    expect(parseIoStat('259:0 rbytes=12 wbytes=oops\n')).toBe('malformed');
    expect(parseIoStat('sda rbytes=12 wbytes=1\n')).toBe('malformed');
  });
});

describe('parseBlkioServiceBytes', () => {
  it('sums Read and Write over devices and skips the per-device and final Totals', () => {
    const text = [
      '259:0 Read 1000000',
      '259:0 Write 2000000',
      '259:0 Sync 2000000',
      '259:0 Async 1000000',
      '259:0 Discard 0',
      '259:0 Total 3000000',
      '259:1 Read 500',
      '259:1 Write 0',
      '259:1 Total 500',
      'Total 3000500',
      '',
    ].join('\n');
    expect(parseBlkioServiceBytes(text)).toEqual({ readBytes: 1000500, writeBytes: 2000000 });
  });

  it('reads a cgroup without IO (only the Total line)', () => {
    expect(parseBlkioServiceBytes('Total 0\n')).toEqual({ readBytes: 0, writeBytes: 0 });
  });

  it('rejects a truncated line', () => {
    expect(parseBlkioServiceBytes('259:0 Read\n')).toBe('malformed');
  });
});
