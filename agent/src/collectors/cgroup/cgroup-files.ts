import type { SampleKind } from '../collector.ts';
import { parseBlkioServiceBytes, parsePressure } from './parse.ts';
import { ABSENT, ioStatIn, type Key, keyedIn, key as keyOf, MALFORMED, singleValue } from './parse-bytes.ts';

// The cgroup files a container's readings come from (v1 and v2), and how each file's bytes become values.

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
export const MEMORY = 4;
export const WORKING_SET = 5;
const OOM = 6;
const FS_READ = 7;
const FS_WRITE = 8;
const PSI = 9;
/** Not emitted: inactive_file, for the working set. */
export const INACTIVE_FILE = CONTAINER_METRICS.length;
/** Slots in a values array: one per metric, then the scratch ones. */
export const VALUE_SLOTS = INACTIVE_FILE + 1;

export type Dir = 'cpu' | 'cpuacct' | 'memory' | 'blkio' | 'pressure';

/**
 * How a file's bytes become values: one case of {@link applyFile}. One function for every
 * file, rather than a closure per file: each closure was a function of its own that the JIT
 * optimized on its own once it had been called enough, so at 10-s cycles they were compiled
 * one after another between the first and the fifth minute of every agent (~90 ms of
 * compilation, measured with --trace-opt); the one function is compiled once, early.
 */
export const Parse = {
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
export type Parse = (typeof Parse)[keyof typeof Parse];

export interface FileSpec {
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
export function applyFile(spec: FileSpec, b: Buffer, n: number, v: Float64Array): boolean {
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

export const V2_FILES: FileSpec[] = [
  file('cpu.stat', 'cpu', Parse.CpuStatV2),
  file('memory.current', 'memory', Parse.MemoryUsage),
  file('memory.stat', 'memory', Parse.MemoryStatV2),
  file('memory.events', 'memory', Parse.OomKill),
  file('io.stat', 'blkio', Parse.IoStat),
  ...PRESSURE_FILES,
];

export const V1_FILES: FileSpec[] = [
  file('cpuacct.usage', 'cpuacct', Parse.CpuacctUsage),
  file('cpu.stat', 'cpu', Parse.CpuStatV1),
  file('memory.usage_in_bytes', 'memory', Parse.MemoryUsage),
  file('memory.stat', 'memory', Parse.MemoryStatV1),
  file('memory.oom_control', 'memory', Parse.OomKill),
  file('blkio.throttle.io_service_bytes', 'blkio', Parse.BlkioServiceBytes),
  ...PRESSURE_FILES,
];

/** File systems whose files answer ENODEV once their cgroup is removed, even through an open descriptor. */
