/**
 * Byte-level versions of the parsers in parse.ts for the files read every cycle for every
 * container (cpu.stat, memory.*, io.stat): they read numbers straight out of the read
 * buffer instead of decoding each file into a string and slicing it. Same answers as the
 * string versions (parse-bytes.test.ts checks them against each other); values are
 * numbers ≥ 0, or {@link ABSENT} / {@link MALFORMED}.
 */

export const ABSENT = -1;
export const MALFORMED = -2;

/** A key as it appears at the start of a line, followed by a space: `key `. */
export interface Key {
  bytes: Buffer;
}

export function key(name: string): Key {
  return { bytes: Buffer.from(`${name} `, 'latin1') };
}

/** What String.prototype.trim() removes, for the bytes a kernel file can hold. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The unsigned integer in bytes [start, end), surrounding whitespace allowed (as parseSingleValue). */
export function uintIn(buf: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && isSpace(buf[s] as number)) s++;
  while (e > s && isSpace(buf[e - 1] as number)) e--;
  const len = e - s;
  if (len === 0 || len > 30) return MALFORMED;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) return MALFORMED;
    v = v * 10 + d;
  }
  // Past 2^53 digit-by-digit accumulation can round differently from Number(): use it there.
  return len > 15 ? Number(Buffer.from(buf.buffer, buf.byteOffset + s, len).toString('latin1')) : v;
}

/** The whole file as one unsigned integer (`memory.current`, `cpuacct.usage`). */
export function singleValue(buf: Uint8Array, n: number): number {
  return uintIn(buf, 0, n);
}

/**
 * The value of one `key value` line among the first `n` bytes of `buf` (as keyedValue): the
 * first line that starts with the key. Bytes past `n` (an earlier file's) are never looked at.
 * A plain scan of line starts, not Buffer#indexOf: the JIT inlined indexOf's whole JavaScript
 * wrapper into every caller (a 20 ms compile each, inside the first minutes of every agent),
 * and the files are a few dozen short lines.
 */
export function keyedIn(buf: Buffer, n: number, k: Key): number {
  const key = k.bytes;
  const len = key.length;
  let line = 0;
  while (line + len <= n) {
    let i = 0;
    while (i < len && buf[line + i] === key[i]) i++;
    let end = line + i;
    while (end < n && buf[end] !== 10) end++;
    if (i === len) return uintIn(buf, line + len, end);
    line = end + 1;
  }
  return ABSENT;
}

const RBYTES = Buffer.from('rbytes', 'latin1');
const WBYTES = Buffer.from('wbytes', 'latin1');

function sameBytes(buf: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word[i]) return false;
  return true;
}

/**
 * v2 `io.stat` (as parseIoStat): rbytes and wbytes summed over devices into out[0] and
 * out[1]; false when a line is malformed.
 */
export function ioStatIn(buf: Uint8Array, n: number, out: Float64Array): boolean {
  let read = 0;
  let write = 0;
  let at = 0;
  while (at < n) {
    let eol = at;
    while (eol < n && buf[eol] !== 10) eol++;
    let p = at;
    at = eol + 1;
    let first = true;
    for (;;) {
      while (p < eol && isSpace(buf[p] as number)) p++;
      if (p >= eol) break;
      let q = p;
      while (q < eol && !isSpace(buf[q] as number)) q++;
      if (first) {
        if (!isDevice(buf, p, q)) return false;
        first = false;
      } else {
        let eq = p;
        while (eq < q && buf[eq] !== 61) eq++;
        if (eq === p || eq === q) return false;
        const v = uintIn(buf, eq + 1, q);
        if (v < 0) return false;
        if (sameBytes(buf, p, eq, RBYTES)) read += v;
        else if (sameBytes(buf, p, eq, WBYTES)) write += v;
      }
      p = q;
    }
  }
  out[0] = read;
  out[1] = write;
  return true;
}

/** `MAJ:MIN`. */
function isDevice(buf: Uint8Array, s: number, e: number): boolean {
  let colon = -1;
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (c === 58) {
      if (colon !== -1) return false;
      colon = i;
    } else if (c < 48 || c > 57) return false;
  }
  return colon > s && colon < e - 1;
}
