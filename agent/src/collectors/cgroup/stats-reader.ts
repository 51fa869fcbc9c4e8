import { join } from 'node:path';
import type { CgroupLayout } from './layout.ts';
import { keyedValue, type Psi, parseBlkioServiceBytes, parseIoStat, parsePressure, parseSingleValue } from './parse.ts';
import { readText } from './read-text.ts';

/** One container's readings, in base units (seconds, bytes). A field is absent when its file was. */
export interface ContainerStats {
  cpuUsageSeconds?: number;
  cfsPeriods?: number;
  cfsThrottledPeriods?: number;
  cfsThrottledSeconds?: number;
  memoryUsageBytes?: number;
  /** usage − inactive_file, floored at 0: what the kubelet compares with the limit when it evicts. */
  memoryWorkingSetBytes?: number;
  oomKills?: number;
  fsReadBytes?: number;
  fsWriteBytes?: number;
  pressure: { cpu?: Psi; memory?: Psi; io?: Psi };
}

/** Per-container memory of which files are not there, so they are not retried every cycle. */
export interface ReadState {
  missing: number;
}

export type ReadProblem = 'malformed' | 'error';

type Dir = 'cpu' | 'cpuacct' | 'memory' | 'blkio' | 'pressure';
interface Scratch extends ContainerStats {
  inactiveFile?: number;
}
/** Applies one file's content; false means the content was malformed. */
type Apply = (text: string, s: Scratch) => boolean;
interface FileSpec {
  name: string;
  dir: Dir;
  apply: Apply;
}

const pressure = (resource: 'cpu' | 'memory' | 'io'): FileSpec => ({
  name: `${resource}.pressure`,
  dir: 'pressure',
  apply: (t, s) => {
    const psi = parsePressure(t);
    if (psi === 'malformed') return false;
    s.pressure[resource] = psi;
    return true;
  },
});

const V2_FILES: FileSpec[] = [
  {
    name: 'cpu.stat',
    dir: 'cpu',
    // The nr_*/throttled_* lines exist only while the cpu controller is enabled for the cgroup.
    apply: (t, s) =>
      all(
        need(t, 'usage_usec', (v) => (s.cpuUsageSeconds = v / 1e6)),
        take(t, 'nr_periods', (v) => (s.cfsPeriods = v)),
        take(t, 'nr_throttled', (v) => (s.cfsThrottledPeriods = v)),
        take(t, 'throttled_usec', (v) => (s.cfsThrottledSeconds = v / 1e6)),
      ),
  },
  { name: 'memory.current', dir: 'memory', apply: single((s, v) => (s.memoryUsageBytes = v)) },
  { name: 'memory.stat', dir: 'memory', apply: (t, s) => need(t, 'inactive_file', (v) => (s.inactiveFile = v)) },
  // oom_kill arrived in 4.13; an older kernel's file without it is not malformed.
  { name: 'memory.events', dir: 'memory', apply: (t, s) => take(t, 'oom_kill', (v) => (s.oomKills = v)) },
  { name: 'io.stat', dir: 'blkio', apply: io(parseIoStat) },
  pressure('cpu'),
  pressure('memory'),
  pressure('io'),
];

const V1_FILES: FileSpec[] = [
  { name: 'cpuacct.usage', dir: 'cpuacct', apply: single((s, v) => (s.cpuUsageSeconds = v / 1e9)) },
  {
    name: 'cpu.stat',
    dir: 'cpu',
    apply: (t, s) =>
      all(
        take(t, 'nr_periods', (v) => (s.cfsPeriods = v)),
        take(t, 'nr_throttled', (v) => (s.cfsThrottledPeriods = v)),
        take(t, 'throttled_time', (v) => (s.cfsThrottledSeconds = v / 1e9)),
      ),
  },
  { name: 'memory.usage_in_bytes', dir: 'memory', apply: single((s, v) => (s.memoryUsageBytes = v)) },
  {
    name: 'memory.stat',
    dir: 'memory',
    // total_* includes descendants; a container's cgroup has none, but prefer it as cAdvisor does.
    apply: (t, s) => {
      const total = keyedValue(t, 'total_inactive_file');
      if (total !== 'absent') return need(t, 'total_inactive_file', (v) => (s.inactiveFile = v));
      return need(t, 'inactive_file', (v) => (s.inactiveFile = v));
    },
  },
  { name: 'memory.oom_control', dir: 'memory', apply: (t, s) => take(t, 'oom_kill', (v) => (s.oomKills = v)) },
  { name: 'blkio.throttle.io_service_bytes', dir: 'blkio', apply: io(parseBlkioServiceBytes) },
  pressure('cpu'),
  pressure('memory'),
  pressure('io'),
];

/** Reads one container cgroup's files for the layout's cgroup version. */
export class StatsReader {
  private readonly files: FileSpec[];
  private readonly dirs: Record<Dir, string | undefined>;

  constructor(layout: CgroupLayout) {
    this.files = layout.version === 2 ? V2_FILES : V1_FILES;
    this.dirs = { cpu: layout.cpu, cpuacct: layout.cpuacct, memory: layout.memory, blkio: layout.blkio, pressure: layout.pressure };
  }

  /**
   * The file paths of the container cgroup at `rel`, built once per container: path.join on
   * every read was a tenth of the collection's CPU.
   */
  paths(rel: string): (string | undefined)[] {
    return this.files.map((spec) => {
      const dir = this.dirs[spec.dir];
      return dir ? join(dir, rel, spec.name) : undefined;
    });
  }

  /**
   * The container's stats, or undefined when every file it still had is gone (the cgroup was
   * removed). `paths` comes from paths(). Files found missing are remembered in `state`;
   * problems go to `report`.
   */
  read(
    paths: (string | undefined)[],
    state: ReadState,
    report: (problem: ReadProblem, path: string, err?: unknown) => void,
  ): ContainerStats | undefined {
    const s: Scratch = { pressure: {} };
    let tried = 0;
    let gone = 0;
    for (let i = 0; i < this.files.length; i++) {
      const spec = this.files[i] as FileSpec;
      const path = paths[i];
      if (!path || state.missing & (1 << i)) continue;
      tried++;
      let text: string | undefined;
      try {
        text = readText(path);
      } catch (err) {
        report('error', path, err);
        continue;
      }
      if (text === undefined) {
        gone++;
        state.missing |= 1 << i;
      } else if (!spec.apply(text, s)) {
        report('malformed', path);
      }
    }
    if (tried > 0 && gone === tried) return undefined;
    const { inactiveFile, ...stats } = s;
    if (stats.memoryUsageBytes !== undefined && inactiveFile !== undefined) {
      stats.memoryWorkingSetBytes = Math.max(0, stats.memoryUsageBytes - inactiveFile);
    }
    return stats;
  }
}

function single(set: (s: Scratch, v: number) => void): Apply {
  return (t, s) => {
    const v = parseSingleValue(t);
    if (v === 'malformed') return false;
    set(s, v);
    return true;
  };
}

function io(parse: (t: string) => { readBytes: number; writeBytes: number } | 'malformed'): Apply {
  return (t, s) => {
    const v = parse(t);
    if (v === 'malformed') return false;
    s.fsReadBytes = v.readBytes;
    s.fsWriteBytes = v.writeBytes;
    return true;
  };
}

/** A required key: absent or malformed both make the file malformed. */
function need(text: string, key: string, set: (v: number) => void): boolean {
  const v = keyedValue(text, key);
  if (typeof v !== 'number') return false;
  set(v);
  return true;
}

/** An optional key: absent is fine, malformed is not. */
function take(text: string, key: string, set: (v: number) => void): boolean {
  const v = keyedValue(text, key);
  if (typeof v === 'number') set(v);
  return v !== 'malformed';
}

function all(...oks: boolean[]): boolean {
  return oks.every(Boolean);
}
