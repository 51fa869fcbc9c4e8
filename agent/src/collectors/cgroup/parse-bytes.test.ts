import { describe, expect, it } from 'vitest';
import { keyedValue, parseIoStat, parseSingleValue } from './parse.ts';
import { ABSENT, ioStatIn, key, keyedIn, MALFORMED, singleValue } from './parse-bytes.ts';

/** The text at the start of a buffer that holds leftovers of a longer, earlier file after it. */
function inStaleBuffer(
  text: string,
  leftover = 'x\ninactive_file 999\nnr_periods 5\nusage_usec 77\n259:0 rbytes=1 wbytes=2\n',
): [Buffer, number] {
  const buf = Buffer.alloc(text.length + leftover.length + 64, 'z');
  buf.write(text, 0, 'latin1');
  buf.write(leftover, text.length, 'latin1');
  return [buf, text.length];
}

const asField = (v: number) => (v === ABSENT ? 'absent' : v === MALFORMED ? 'malformed' : v);

describe('byte parsers agree with the string parsers', () => {
  const stat = 'usage_usec 100\nuser_usec 70\nnr_periods 7\nnr_throttled x\nthrottled_usec\n';
  const keyed: [string, string][] = [
    [stat, 'usage_usec'],
    [stat, 'user_usec'],
    [stat, 'nr_periods'],
    [stat, 'nr_throttled'],
    [stat, 'throttled_usec'],
    [stat, 'nr_bursts'],
    ['inactive_file 10\ntotal_inactive_file 30\n', 'inactive_file'],
    ['inactive_file 10\ntotal_inactive_file 30\n', 'total_inactive_file'],
    ['total_inactive_file 30\n', 'inactive_file'],
    ['usage_usec_x 5\n', 'usage_usec'],
    ['oom 3\noom_kill 2', 'oom_kill'],
    ['oom_kill  4 \r\n', 'oom_kill'],
    ['a 1\nbig 18446744073709551615\n', 'big'],
    ['a 1\nbig 123456789012345678901234567890123\n', 'big'],
    ['', 'a'],
  ];
  it.each(keyed)('keyed %j %s', (text, name) => {
    const [buf, n] = inStaleBuffer(text);
    expect(asField(keyedIn(buf, n, key(name)))).toEqual(keyedValue(text, name));
  });

  it.each(['536870912\n', '0', '', 'max\n', '-1\n', '12 34\n', ' 7 \n', '18446744073709551615\n', '9007199254740993\n'])(
    'single %j',
    (text) => {
      const [buf, n] = inStaleBuffer(text);
      const v = singleValue(buf, n);
      expect(v === MALFORMED ? 'malformed' : v).toEqual(parseSingleValue(text));
    },
  );

  it.each([
    '',
    '259:0 rbytes=1000 wbytes=2000 rios=1 wios=2 dbytes=0 dios=0\n259:1 rbytes=500 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    '8:0 rbytes=12 wbytes=1',
    '259:0 rbytes=12 wbytes=oops\n',
    'sda rbytes=12 wbytes=1\n',
    '259:0 =12\n',
    '259:0 rbytes\n',
    '259:0 rbytes=\n',
    '259:0 rbytes=1=2\n',
    ':0 rbytes=1\n',
    '259: rbytes=1\n',
    '\n\n  259:0   rbytes=7\twbytes=8  \n\n',
  ])('io.stat %j', (text) => {
    const [buf, n] = inStaleBuffer(text);
    const out = new Float64Array(2);
    const ok = ioStatIn(buf, n, out);
    const want = parseIoStat(text);
    if (want === 'malformed') expect(ok).toBe(false);
    else expect({ ok, readBytes: out[0], writeBytes: out[1] }).toEqual({ ok: true, ...want });
  });
});
