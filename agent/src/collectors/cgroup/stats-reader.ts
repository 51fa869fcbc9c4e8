import { closeSync, existsSync, openSync, readSync, statfsSync } from 'node:fs';
import { applyFile, type Dir, type FileSpec, INACTIVE_FILE, MEMORY, Parse, V1_FILES, V2_FILES, WORKING_SET } from './cgroup-files.ts';
import type { CgroupLayout } from './layout.ts';
import { isMissing } from './read-text.ts';

export { CONTAINER_METRICS, type ContainerMetric, VALUE_SLOTS } from './cgroup-files.ts';

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
