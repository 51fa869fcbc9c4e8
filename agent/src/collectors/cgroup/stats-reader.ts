import { closeSync, existsSync, openSync, readSync, statfsSync } from 'node:fs';
import type { SampleKind } from '../collector.ts';
import type { CgroupLayout } from './layout.ts';
import { parseBlkioServiceBytes, parsePressure } from './parse.ts';
import { ABSENT, ioStatIn, type Key, keyedIn, key as keyOf, MALFORMED, singleValue } from './parse-bytes.ts';
import { isMissing } from './read-text.ts';

export interface ContainerMetric {
  metric: string;
  kind: SampleKind;
  unit: string;
}

/** What a container's readings are emitted as; a reading's slot in the values array is its index here. */
export const CONTAINER_METRICS: readonly ContainerMetric[] = [
  { metric: 'container_cpu_usage_seconds_total', kind: 'counter', unit: 'seconds' },
  { metric: 'container_cpu_cfs_periods_total', kind: 'counter', unit: 'periods' },
  { metric: 'container_cpu_cfs_throttled_periods_total', kind: 'counter', unit: 'periods' },
  { metric: 'container_cpu_cfs_throttled_seconds_total', kind: 'counter', unit: 'seconds' },
  { metric: 'container_memory_usage_bytes', kind: 'gauge', unit: 'bytes' },
  { metric: 'container_memory_working_set_bytes', kind: 'gauge', unit: 'bytes' },
  { metric: 'container_oom_events_total', kind: 'counter', unit: 'events' },
  { metric: 'container_fs_reads_bytes_total', kind: 'counter', unit: 'bytes' },
  { metric: 'container_fs_writes_bytes_total', kind: 'counter', unit: 'bytes' },
  // PSI as `container_pressure_<resource>_{some,full}_{seconds_total,avg10_percent}`: the kernel's cumulative stall time and its own 10-second average.
  ...(['cpu', 'memory', 'io'] as const).flatMap((r) =>
    (['some', 'full'] as const).flatMap((k): ContainerMetric[] => [
      { metric: `container_pressure_${r}_${k}_seconds_total`, kind: 'counter', unit: 'seconds' },
      { metric: `container_pressure_${r}_${k}_avg10_percent`, kind: 'gauge', unit: 'percent' },
    ]),
  ),
];

const CPU = 0;
const PERIODS = 1;
const THROTTLED = 2;
const THROTTLED_SECONDS = 3;
const MEMORY = 4;
const WORKING_SET = 5;
const OOM = 6;
const FS_READ = 7;
const FS_WRITE = 8;
const PSI = 9;
/** Not emitted: inactive_file, for the working set. */
const INACTIVE_FILE = CONTAINER_METRICS.length;
/** Slots in a values array: one per metric, then the scratch ones. */
export const VALUE_SLOTS = INACTIVE_FILE + 1;

export type ReadProblem = 'malformed' | 'error';

/** One container's open files: directories joined once, descriptors kept between cycles, and which files are missing. */
export interface ContainerFiles {
  /**
   * Per file, the container's directory under that file's controller mount (undefined: no such
   * controller). One string per controller, shared by its files: a full path per file was
   * ~370 KB of heap on a 110-pod node, for names needed only to open a file or report it.
   */
  dirs: (string | undefined)[];
  /** -1: not open. */
  fds: number[];
  /** Bit i: file i was missing, so it is not retried until a rescan clears it. */
  missing: number;
}

type Dir = 'cpu' | 'cpuacct' | 'memory' | 'blkio' | 'pressure';

/**
 * How a file's bytes become values: one case of {@link applyFile}. One function for every
 * file, rather than a closure per file: each closure was a function of its own that the JIT
 * optimized on its own once it had been called enough, so at 10-s cycles they were compiled
 * one after another between the first and the fifth minute of every agent (~90 ms of
 * compilation, measured with --trace-opt); the one function is compiled once, early.
 */
const Parse = {
  /** v2 cpu.stat: usage and throttling. */
  CpuStatV2: 0,
  /** v1 cpu.stat: throttling. */
  CpuStatV1: 1,
  /** cpuacct.usage (ns). */
  CpuacctUsage: 2,
  /** memory.current, memory.usage_in_bytes. */
  MemoryUsage: 3,
  /** v2 memory.stat: inactive_file. */
  MemoryStatV2: 4,
  /** v1 memory.stat: total_inactive_file, else inactive_file. */
  MemoryStatV1: 5,
  /** memory.events (v2), memory.oom_control (v1): oom_kill. */
  OomKill: 6,
  /** v2 io.stat. */
  IoStat: 7,
  /** v1 blkio.throttle.io_service_bytes. */
  BlkioServiceBytes: 8,
  /** A PSI file; `FileSpec.psi` is its resource's index. */
  Pressure: 9,
} as const;
type Parse = (typeof Parse)[keyof typeof Parse];

interface FileSpec {
  name: string;
  dir: Dir;
  parse: Parse;
  /** Pressure files: the resource's index (cpu 0, memory 1, io 2), else -1. */
  psi: number;
}

const K = {
  usage_usec: keyOf('usage_usec'),
  nr_periods: keyOf('nr_periods'),
  nr_throttled: keyOf('nr_throttled'),
  throttled_usec: keyOf('throttled_usec'),
  throttled_time: keyOf('throttled_time'),
  inactive_file: keyOf('inactive_file'),
  total_inactive_file: keyOf('total_inactive_file'),
  oom_kill: keyOf('oom_kill'),
};

/** A required key: absent or malformed both make the file malformed. */
function need(buf: Buffer, n: number, k: Key, v: Float64Array, slot: number, scale: number): boolean {
  const x = keyedIn(buf, n, k);
  if (x < 0) return false;
  v[slot] = x / scale;
  return true;
}

/** An optional key: absent is fine, malformed is not. */
function take(buf: Buffer, n: number, k: Key, v: Float64Array, slot: number, scale: number): boolean {
  const x = keyedIn(buf, n, k);
  if (x >= 0) v[slot] = x / scale;
  return x !== MALFORMED;
}

const io2 = new Float64Array(2);

/** Applies one file's bytes [0, n) to the values; false means the content was malformed. */
function applyFile(spec: FileSpec, b: Buffer, n: number, v: Float64Array): boolean {
  switch (spec.parse) {
    case Parse.CpuStatV2: {
      // One file for usage and throttling. The nr_*/throttled_* lines exist only while the
      // cpu controller is enabled for the cgroup.
      const ok = need(b, n, K.usage_usec, v, CPU, 1e6);
      const p = take(b, n, K.nr_periods, v, PERIODS, 1);
      const t = take(b, n, K.nr_throttled, v, THROTTLED, 1);
      return take(b, n, K.throttled_usec, v, THROTTLED_SECONDS, 1e6) && ok && p && t;
    }
    case Parse.CpuStatV1: {
      const p = take(b, n, K.nr_periods, v, PERIODS, 1);
      const t = take(b, n, K.nr_throttled, v, THROTTLED, 1);
      return take(b, n, K.throttled_time, v, THROTTLED_SECONDS, 1e9) && p && t;
    }
    case Parse.CpuacctUsage:
    case Parse.MemoryUsage: {
      const x = singleValue(b, n);
      if (x < 0) return false;
      if (spec.parse === Parse.CpuacctUsage) v[CPU] = x / 1e9;
      else v[MEMORY] = x;
      return true;
    }
    // Only its inactive_file line is read, for the working set.
    case Parse.MemoryStatV2:
      return need(b, n, K.inactive_file, v, INACTIVE_FILE, 1);
    // total_* includes descendants; a container's cgroup has none, but prefer it as cAdvisor does.
    case Parse.MemoryStatV1:
      return keyedIn(b, n, K.total_inactive_file) !== ABSENT
        ? need(b, n, K.total_inactive_file, v, INACTIVE_FILE, 1)
        : need(b, n, K.inactive_file, v, INACTIVE_FILE, 1);
    // oom_kill arrived in 4.13; an older kernel's file without it is not malformed.
    case Parse.OomKill:
      return take(b, n, K.oom_kill, v, OOM, 1);
    case Parse.IoStat:
      if (!ioStatIn(b, n, io2)) return false;
      v[FS_READ] = io2[0] as number;
      v[FS_WRITE] = io2[1] as number;
      return true;
    case Parse.BlkioServiceBytes: {
      const io = parseBlkioServiceBytes(b.toString('latin1', 0, n));
      if (io === 'malformed') return false;
      v[FS_READ] = io.readBytes;
      v[FS_WRITE] = io.writeBytes;
      return true;
    }
    case Parse.Pressure: {
      const psi = parsePressure(b.toString('latin1', 0, n));
      if (psi === 'malformed') return false;
      const base = PSI + spec.psi * 4;
      v[base] = psi.some.totalUsec / 1e6;
      v[base + 1] = psi.some.avg10;
      if (psi.full) {
        v[base + 2] = psi.full.totalUsec / 1e6;
        v[base + 3] = psi.full.avg10;
      }
      return true;
    }
  }
}

const file = (name: string, dir: Dir, parse: Parse): FileSpec => ({ name, dir, parse, psi: -1 });
// PSI as `container_pressure_<resource>_{some,full}_{seconds_total,avg10_percent}`.
const PRESSURE_FILES: FileSpec[] = (['cpu', 'memory', 'io'] as const).map((r, i) => ({
  name: `${r}.pressure`,
  dir: 'pressure',
  parse: Parse.Pressure,
  psi: i,
}));

const V2_FILES: FileSpec[] = [
  file('cpu.stat', 'cpu', Parse.CpuStatV2),
  file('memory.current', 'memory', Parse.MemoryUsage),
  file('memory.stat', 'memory', Parse.MemoryStatV2),
  file('memory.events', 'memory', Parse.OomKill),
  file('io.stat', 'blkio', Parse.IoStat),
  ...PRESSURE_FILES,
];

const V1_FILES: FileSpec[] = [
  file('cpuacct.usage', 'cpuacct', Parse.CpuacctUsage),
  file('cpu.stat', 'cpu', Parse.CpuStatV1),
  file('memory.usage_in_bytes', 'memory', Parse.MemoryUsage),
  file('memory.stat', 'memory', Parse.MemoryStatV1),
  file('memory.oom_control', 'memory', Parse.OomKill),
  file('blkio.throttle.io_service_bytes', 'blkio', Parse.BlkioServiceBytes),
  ...PRESSURE_FILES,
];

/** File systems whose files answer ENODEV once their cgroup is removed, even through an open descriptor. */
const KERNEL_FS = new Set([
  0x63677270, // cgroup2
  0x27e0eb, // cgroup (v1)
  0x62656572, // sysfs
  0x9fa0, // proc
]);

// One buffer for every read: cgroup files are small, and the collector reads them one at a time.
let buffer = Buffer.allocUnsafe(64 * 1024);

export interface StatsReaderOptions {
  /** Read the PSI files (cpu, memory, io .pressure) too (default true). */
  pressure?: boolean;
  /**
   * Keep each file open between cycles and re-read it at offset 0 (default true): one
   * pread per file per cycle instead of open, read, read, close.
   */
  keepOpen?: boolean;
}

/** Reads one container cgroup's files for the layout's cgroup version. */
export class StatsReader {
  private readonly files: FileSpec[];
  private readonly dirs: Record<Dir, string | undefined>;
  /** Per file: its directory is not a kernel file system, so a removed cgroup is noticed by its directory's absence instead of ENODEV. */
  private readonly checkLinks: boolean[];
  private readonly keepOpen: boolean;
  /** Whether the last load() read through a descriptor kept from an earlier cycle. */
  private lastReadCached = false;
  /**
   * Some of the files are not on a kernel file system (tests, benchmarks): a removed cgroup's
   * files still read there, so removal has to be noticed some other way (see read()).
   */
  readonly removalUnseen: boolean;

  constructor(layout: CgroupLayout, options: StatsReaderOptions = {}) {
    const all = layout.version === 2 ? V2_FILES : V1_FILES;
    this.files = options.pressure === false ? all.filter((f) => f.parse !== Parse.Pressure) : all;
    this.dirs = { cpu: layout.cpu, cpuacct: layout.cpuacct, memory: layout.memory, blkio: layout.blkio, pressure: layout.pressure };
    this.keepOpen = options.keepOpen ?? true;
    const kernel = new Map<string, boolean>();
    this.checkLinks = this.files.map((spec) => {
      const dir = this.dirs[spec.dir];
      if (!dir) return false;
      let k = kernel.get(dir);
      if (k === undefined) {
        k = isKernelFs(dir);
        kernel.set(dir, k);
      }
      return !k;
    });
    this.removalUnseen = this.checkLinks.some(Boolean);
  }

  /**
   * The files of the container cgroup at `rel`; directories are joined once per container
   * (path.join on every read was a tenth of the collection's CPU) and files opened on first read.
   */
  open(rel: string): ContainerFiles {
    const joined = new Map<string, string>();
    return {
      dirs: this.files.map((spec) => {
        const mount = this.dirs[spec.dir];
        if (!mount) return undefined;
        let dir = joined.get(mount);
        if (dir === undefined) {
          // Joined with a slash: see listPods() in kubepods.ts.
          dir = `${mount}/${rel}`;
          joined.set(mount, dir);
        }
        return dir;
      }),
      fds: this.files.map(() => -1),
      missing: 0,
    };
  }

  /** The path of file i of `files` (for opening it and for reports). */
  pathOf(files: ContainerFiles, i: number): string {
    return `${files.dirs[i]}/${(this.files[i] as FileSpec).name}`;
  }

  /** Closes whatever `files` holds open; safe twice. */
  close(files: ContainerFiles): void {
    for (let i = 0; i < files.fds.length; i++) {
      const fd = files.fds[i] as number;
      if (fd >= 0) closeQuietly(fd);
      files.fds[i] = -1;
    }
  }

  /**
   * Reads the container's files into `v` (VALUE_SLOTS long; NaN where a file or line was
   * absent). False when every file it still had is gone (the cgroup was removed); its
   * descriptors are closed then. Files found missing are remembered in `files.missing`;
   * problems go to `report`. `probe`: on a file system that is not the kernel's, check that
   * the cgroup's directory is still there (the caller passes false when it learns of removals
   * otherwise, e.g. by watching the pod's directory).
   */
  read(
    files: ContainerFiles,
    v: Float64Array,
    report: (problem: ReadProblem, path: string, err?: unknown) => void,
    probeRemoval = true,
  ): boolean {
    v.fill(Number.NaN);
    let tried = 0;
    let gone = 0;
    let probe = -1;
    for (let i = 0; i < this.files.length; i++) {
      if (files.dirs[i] === undefined || files.missing & (1 << i)) continue;
      tried++;
      let n: number;
      try {
        n = this.load(files, i);
      } catch (err) {
        report('error', this.pathOf(files, i), err);
        continue;
      }
      if (n < 0) {
        gone++;
        files.missing |= 1 << i;
        continue;
      }
      if (probe < 0 && probeRemoval && this.lastReadCached && this.checkLinks[i]) probe = i;
      // The shared buffer itself, not a view of its first n bytes: parsers are given n.
      if (!applyFile(this.files[i] as FileSpec, buffer, n, v)) {
        report('malformed', this.pathOf(files, i));
      }
    }
    // A regular file (tests, benchmarks) still reads after it is deleted, where cgroupfs would
    // answer ENODEV: there, unless the caller watches for removals, one access(2) of the
    // container's directory per cycle tells whether its cgroup was removed. (fstat's link count
    // did too, but building its Stats object, Dates and all, was a 35 ms compile for the JIT on
    // every agent.)
    if ((tried > 0 && gone === tried) || (probe >= 0 && !existsSync(files.dirs[probe] as string))) {
      this.close(files);
      return false;
    }
    const usage = v[MEMORY] as number;
    const inactive = v[INACTIVE_FILE] as number;
    // usage − inactive_file, floored at 0: what the kubelet compares with the limit when it evicts.
    if (!Number.isNaN(usage) && !Number.isNaN(inactive)) v[WORKING_SET] = Math.max(0, usage - inactive);
    return true;
  }

  /** Bytes of file i now in `buffer`, or -1 when it does not exist (any more). Other errors are thrown. */
  private load(files: ContainerFiles, i: number): number {
    let fd = files.fds[i] as number;
    const cached = fd >= 0;
    if (!cached) {
      try {
        fd = openSync(this.pathOf(files, i), 'r');
      } catch (err) {
        if (isMissing(err)) return -1;
        throw err;
      }
    }
    let n: number;
    try {
      n = readAll(fd);
    } catch (err) {
      closeQuietly(fd);
      files.fds[i] = -1;
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ESTALE') return -1;
      throw err;
    }
    this.lastReadCached = cached;
    if (this.keepOpen) files.fds[i] = fd;
    else closeSync(fd);
    return n;
  }
}

/**
 * Reads the whole file from offset 0 into `buffer` (grown when a file does not fit). Kernel
 * files regenerate their content on a read at offset 0, so a descriptor kept open reads
 * fresh values. A short read is the end of the file: true of regular files, and of the
 * cgroup files read here, each of which the kernel shows as one seq_file record.
 */
function readAll(fd: number): number {
  let n = 0;
  for (;;) {
    const want = buffer.length - n;
    const r = readSync(fd, buffer, n, want, n);
    n += r;
    if (r < want) return n;
    const bigger = Buffer.allocUnsafe(buffer.length * 2);
    buffer.copy(bigger, 0, 0, n);
    buffer = bigger;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already gone
  }
}

function isKernelFs(dir: string): boolean {
  try {
    return KERNEL_FS.has(statfsSync(dir).type);
  } catch {
    return false;
  }
}
