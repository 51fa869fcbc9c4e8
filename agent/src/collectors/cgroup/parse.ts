/**
 * Parsers for the cgroup and PSI file formats the agent reads. Each is pure and never throws:
 * content the kernel would not write comes back as `'malformed'` (or `undefined` where noted),
 * so the caller can count it and carry on with the other files.
 */

export type Field = number | 'absent' | 'malformed';

/** A file holding one unsigned integer (`cpuacct.usage`, `memory.current`, `memory.usage_in_bytes`). */
export function parseSingleValue(text: string): number | 'malformed' {
  const v = text.trim();
  return isUint(v) ? Number(v) : 'malformed';
}

/**
 * One `key value` line of a flat-keyed file (`cpu.stat`, `memory.stat`, `memory.events`,
 * `memory.oom_control`). Looks the key up directly instead of splitting the whole file: v1
 * `memory.stat` has ~40 lines and we need one of them, on every container, every cycle.
 */
export function keyedValue(text: string, key: string): Field {
  let at = text.startsWith(`${key} `) ? 0 : -1;
  if (at === -1) {
    const i = text.indexOf(`\n${key} `);
    if (i === -1) return 'absent';
    at = i + 1;
  }
  const start = at + key.length + 1;
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  const v = text.slice(start, end).trim();
  return isUint(v) ? Number(v) : 'malformed';
}

export interface PsiLine {
  /** Share of wall time stalled over the last 10/60/300 s, in percent. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Cumulative stall time in microseconds. */
  totalUsec: number;
}

export interface Psi {
  some: PsiLine;
  /** Absent on kernels before 5.13 for cpu, and at the system level on some kernels. */
  full?: PsiLine;
}

/**
 * `cpu.pressure`, `memory.pressure`, `io.pressure` and `/proc/pressure/*`:
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * Scanned by hand rather than split with regexes: three of these per container per cycle
 * made the regex version the largest parsing cost.
 */
export function parsePressure(text: string): Psi | 'malformed' {
  let some: PsiLine | undefined;
  let full: PsiLine | undefined;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const line = text.slice(at, end).trim();
    at = end + 1;
    if (line === '') continue;
    const kind = line.slice(0, 4);
    if ((kind !== 'some' && kind !== 'full') || line[4] !== ' ') return 'malformed';
    const psi = psiLine(line.slice(5));
    if (!psi) return 'malformed';
    if (kind === 'some') some = psi;
    else full = psi;
  }
  if (!some) return 'malformed';
  return full ? { some, full } : { some };
}

function psiLine(fields: string): PsiLine | undefined {
  const f: Record<string, number> = {};
  for (const p of fields.split(' ')) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    const v = p.slice(eq + 1);
    if (eq <= 0 || !isDecimal(v)) return undefined;
    f[p.slice(0, eq)] = Number(v);
  }
  const { avg10, avg60, avg300, total } = f;
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined) return undefined;
  return { avg10, avg60, avg300, totalUsec: total };
}

export interface IoBytes {
  readBytes: number;
  writeBytes: number;
}

/** v2 `io.stat`: one line per device, `MAJ:MIN rbytes=… wbytes=… rios=… …`; summed over devices. Empty means no IO yet. */
export function parseIoStat(text: string): IoBytes | 'malformed' {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === '') continue;
    if (!/^\d+:\d+$/.test(parts[0] ?? '')) return 'malformed';
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      const v = p.slice(eq + 1);
      if (eq <= 0 || !isUint(v)) return 'malformed';
      const k = p.slice(0, eq);
      if (k === 'rbytes') readBytes += Number(v);
      else if (k === 'wbytes') writeBytes += Number(v);
    }
  }
  return { readBytes, writeBytes };
}

/**
 * v1 `blkio.throttle.io_service_bytes`: `MAJ:MIN Read|Write|Sync|Async|Discard|Total N` lines
 * and a final `Total N`; Read and Write are summed over devices.
 */
export function parseBlkioServiceBytes(text: string): IoBytes | 'malformed' {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === '') continue;
    if (parts.length === 2 && parts[0] === 'Total' && isUint(parts[1] ?? '')) continue;
    const [dev, op, v] = parts;
    if (parts.length !== 3 || !/^\d+:\d+$/.test(dev ?? '') || !isUint(v ?? '')) return 'malformed';
    if (op === 'Read') readBytes += Number(v);
    else if (op === 'Write') writeBytes += Number(v);
  }
  return { readBytes, writeBytes };
}

function isUint(v: string): boolean {
  if (v.length === 0 || v.length > 30) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Digits with at most one '.' between digits (PSI averages, e.g. `12.34`). */
function isDecimal(v: string): boolean {
  const dot = v.indexOf('.');
  return dot === -1 ? isUint(v) : isUint(v.slice(0, dot)) && isUint(v.slice(dot + 1));
}
