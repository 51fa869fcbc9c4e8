import { statfsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type Collector, type MetricSpec, type Sample, SampleList, type SampleSink, SeriesFamily } from './collector.ts';
import { ProcFile } from './proc-file.ts';
import { parseProcNetDev } from './proc-net-dev.ts';

export interface NodeCollectorOptions {
  procNetDevPath: string;
  /** Where /proc is for stat, meminfo and self/mountinfo (default /proc). */
  procRoot?: string;
  /** Called with what failed, so a broken source is visible in the agent's own metrics. */
  onError: (source: string, err: unknown) => void;
}

const gauge = (metric: string, unit = ''): MetricSpec => ({ metric, kind: 'gauge', unit });
const counter = (metric: string, unit: string): MetricSpec => ({ metric, kind: 'counter', unit });

const CPU_MODES = ['user', 'system', 'nice', 'idle', 'irq', 'steal'] as const;
const MEMORY = [
  gauge('node_memory_total_bytes', 'bytes'),
  gauge('node_memory_available_bytes', 'bytes'),
  gauge('node_memory_used_bytes', 'bytes'),
  gauge('node_memory_free_bytes', 'bytes'),
  gauge('node_memory_buffcache_bytes', 'bytes'),
  gauge('node_memory_swap_total_bytes', 'bytes'),
  gauge('node_memory_swap_used_bytes', 'bytes'),
];
const FILESYSTEM = [
  gauge('node_filesystem_size_bytes', 'bytes'),
  gauge('node_filesystem_used_bytes', 'bytes'),
  gauge('node_filesystem_avail_bytes', 'bytes'),
];
const NETWORK = [
  counter('node_network_receive_bytes_total', 'bytes'),
  counter('node_network_receive_packets_total', 'packets'),
  counter('node_network_receive_errors_total', 'errors'),
  counter('node_network_receive_drop_total', 'packets'),
  counter('node_network_transmit_bytes_total', 'bytes'),
  counter('node_network_transmit_packets_total', 'packets'),
  counter('node_network_transmit_errors_total', 'errors'),
  counter('node_network_transmit_drop_total', 'packets'),
];
const LOAD = [gauge('node_load1'), gauge('node_load5'), gauge('node_load15')];

/**
 * Aggregate CPU ticks from the first line of /proc/stat: user nice system idle iowait irq
 * softirq steal (guest time is already inside user and nice).
 */
interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export function parseProcStatCpu(text: string): CpuTicks | undefined {
  if (!text.startsWith('cpu ')) return undefined;
  let end = text.indexOf('\n');
  if (end === -1) end = text.length;
  const f = text.slice(4, end).trim().split(/\s+/).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  const at = (i: number) => f[i] ?? 0;
  return { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7) };
}

/** The /proc/meminfo fields the memory series need, in the order {@link meminfoFields} returns them. */
export const MEMINFO_FIELDS = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SReclaimable',
  'SwapTotal',
  'SwapFree',
] as const;
const [TOTAL, FREE, AVAILABLE, BUFFERS, CACHED, SRECLAIMABLE, SWAP_TOTAL, SWAP_FREE] = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * The {@link MEMINFO_FIELDS} of /proc/meminfo text in bytes, into `out` (NaN where a field is
 * absent; the last line wins when one repeats). Matched in place, line by line, rather than
 * splitting the file and keeping all of its ~55 fields in an object each cycle: that was the
 * dearest part of the node collector, whose per-cycle code the JIT never optimizes.
 */
export function meminfoFields(text: string, out: Float64Array): void {
  out.fill(Number.NaN);
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < end) {
      for (let i = 0; i < MEMINFO_FIELDS.length; i++) {
        const key = MEMINFO_FIELDS[i] as string;
        if (colon - at !== key.length || !text.startsWith(key, at)) continue;
        const v = Number.parseInt(text.slice(colon + 1, end), 10);
        if (Number.isFinite(v)) out[i] = text.endsWith(' kB', end) ? v * 1024 : v;
        break;
      }
    }
    at = end + 1;
  }
}

export interface Mount {
  /** `major:minor`: mounts of one device are one filesystem (bind mounts). */
  dev: string;
  mountpoint: string;
  fstype: string;
  source: string;
}

/** Kernel-internal and pseudo filesystems: never a disk. */
const PSEUDO_FS = new Set([
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'selinuxfs',
  'efivarfs',
  'squashfs',
]);
/** Network filesystems: `df -l` leaves them out, and statfs on a hung one blocks. */
const REMOTE_FS = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ceph', 'glusterfs', 'lustre', 'fuse.sshfs', 'afs']);
/** Memory-backed types reported only when the source looks like a device (as systeminformation's fsSize did). */
const MEMORY_FS = ['rootfs', 'unionfs', 'cramfs', 'initrd', 'initramfs', 'devtmpfs', 'tmpfs', 'udev', 'devfs', 'specfs', 'appimaged'];

/**
 * The mounts to report, from /proc/self/mountinfo: local filesystems (as `df -l`, squashfs
 * excluded), memory-backed ones only when their source is a path, and one mount per device
 * (the shortest mount point, as df shows bind mounts).
 */
export function parseMountinfo(text: string): Mount[] {
  const byDev = new Map<string, Mount>();
  for (const line of text.split('\n')) {
    // id parent maj:min root mountpoint options [optional…] - fstype source superoptions
    const dash = line.indexOf(' - ');
    if (dash === -1) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const dev = left[2];
    const mountpoint = unescapeMount(left[4] ?? '');
    const fstype = right[0] ?? '';
    const source = unescapeMount(right[1] ?? '');
    if (!dev || !mountpoint || PSEUDO_FS.has(fstype) || REMOTE_FS.has(fstype)) continue;
    const pathLike = source.startsWith('/') || mountpoint === '/' || source.indexOf('/') > 0;
    if (!pathLike && MEMORY_FS.some((t) => fstype.toLowerCase().includes(t))) continue;
    const known = byDev.get(dev);
    if (!known || mountpoint.length < known.mountpoint.length) byDev.set(dev, { dev, mountpoint, fstype, source });
  }
  return [...byDev.values()];
}

/** mountinfo writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeMount(s: string): string {
  return s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))) : s;
}

/**
 * Node-level CPU, load, memory, filesystems and network, read straight from /proc (and
 * statfs for filesystem sizes): no child processes, and one pread per file per cycle.
 */
export class NodeCollector implements Collector {
  readonly name = 'node';
  private readonly stat: ProcFile;
  private readonly meminfo: ProcFile;
  private readonly mountinfo: ProcFile;
  private readonly netDev: ProcFile;
  private readonly meminfoValues = new Float64Array(MEMINFO_FIELDS.length);
  private lastCpu?: CpuTicks;
  private mountsText = '';
  private mounts: Mount[] = [];
  private readonly cpu = new SeriesFamily([gauge('node_cpu_usage_percent', 'percent')]);
  private readonly cpuModes = new SeriesFamily([gauge('node_cpu_mode_percent', 'percent')]);
  private readonly memory = new SeriesFamily(MEMORY);
  private readonly filesystems = new SeriesFamily(FILESYSTEM);
  private readonly network = new SeriesFamily(NETWORK);
  private readonly load = new SeriesFamily(LOAD);

  constructor(private readonly options: NodeCollectorOptions) {
    const proc = options.procRoot ?? '/proc';
    this.stat = new ProcFile(join(proc, 'stat'));
    this.meminfo = new ProcFile(join(proc, 'meminfo'));
    this.mountinfo = new ProcFile(join(proc, 'self/mountinfo'));
    this.netDev = new ProcFile(options.procNetDevPath);
  }

  async start(): Promise<void> {
    // The baseline CPU percentages are computed from.
    try {
      this.lastCpu = parseProcStatCpu(this.stat.read());
    } catch {
      // reported by the first collection
    }
  }

  async shutdown(): Promise<void> {
    for (const f of [this.stat, this.meminfo, this.mountinfo, this.netDev]) f.close();
  }

  async collect(): Promise<Sample[]> {
    const list = new SampleList();
    await this.collectColumns(list);
    return list.samples;
  }

  async collectColumns(sink: SampleSink): Promise<void> {
    this.guard('cpu', () => this.readCpu(sink));
    this.guard('memory', () => this.readMemory(sink));
    this.guard('filesystem', () => this.readFilesystems(sink));
    this.guard('network', () => this.readNetwork(sink));
    const [l1, l5, l15] = loadavg();
    this.load.emit(sink, '', () => ({}), [l1 ?? 0, l5 ?? 0, l15 ?? 0]);
  }

  private guard(source: string, read: () => void): void {
    try {
      read();
    } catch (err) {
      this.options.onError(source, err);
    }
  }

  /**
   * Shares of the CPU time since the last collection, in percent. The six modes add up to
   * 100: idle includes iowait (the CPU was idle, waiting on IO), irq includes softirq; usage
   * is 100 − idle.
   */
  private readCpu(sink: SampleSink): void {
    const now = parseProcStatCpu(this.stat.read());
    if (!now) throw new Error(`no aggregate cpu line in ${this.stat.path}`);
    const last = this.lastCpu;
    this.lastCpu = now;
    if (!last) return;
    const d = (k: keyof CpuTicks) => Math.max(0, now[k] - last[k]);
    const idle = d('idle') + d('iowait');
    const modes = [d('user'), d('system'), d('nice'), idle, d('irq') + d('softirq'), d('steal')];
    const total = modes.reduce((a, b) => a + b, 0);
    // Two reads within one clock tick: no time passed as far as the kernel counts.
    if (total === 0) return;
    this.cpu.emit(sink, '', () => ({}), [((total - idle) / total) * 100]);
    for (let i = 0; i < CPU_MODES.length; i++) {
      const mode = CPU_MODES[i] as string;
      this.cpuModes.emit(sink, mode, () => ({ mode }), [((modes[i] as number) / total) * 100]);
    }
  }

  private readMemory(sink: SampleSink): void {
    const m = this.meminfoValues;
    meminfoFields(this.meminfo.read(), m);
    const or = (i: number, fallback: number) => (Number.isNaN(m[i] as number) ? fallback : (m[i] as number));
    const total = m[TOTAL] as number;
    const free = m[FREE] as number;
    if (Number.isNaN(total) || Number.isNaN(free)) throw new Error(`no MemTotal or MemFree in ${this.meminfo.path}`);
    const buffcache = or(BUFFERS, 0) + or(CACHED, 0) + or(SRECLAIMABLE, 0);
    const available = or(AVAILABLE, free + buffcache);
    const swapTotal = or(SWAP_TOTAL, 0);
    this.memory.emit(sink, '', () => ({}), [total, available, total - available, free, buffcache, swapTotal, swapTotal - or(SWAP_FREE, 0)]);
  }

  private readFilesystems(sink: SampleSink): void {
    const text = this.mountinfo.read();
    if (text !== this.mountsText) {
      this.mountsText = text;
      this.mounts = parseMountinfo(text);
    }
    const values = [0, 0, 0];
    for (const m of this.mounts) {
      let st: ReturnType<typeof statfsSync>;
      try {
        st = statfsSync(m.mountpoint);
      } catch {
        continue; // unmounted since mountinfo was read, or not ours to see
      }
      // A filesystem without blocks is a dummy one (df leaves those out too).
      if (st.blocks === 0) continue;
      values[0] = st.blocks * st.bsize;
      values[1] = (st.blocks - st.bfree) * st.bsize;
      values[2] = st.bavail * st.bsize;
      this.filesystems.emit(
        sink,
        `${m.mountpoint}\0${m.source}\0${m.fstype}`,
        () => ({ mountpoint: m.mountpoint, device: m.source, fstype: m.fstype }),
        values,
      );
    }
    this.filesystems.endCycle();
  }

  private readNetwork(sink: SampleSink): void {
    for (const c of parseProcNetDev(this.netDev.read())) {
      this.network.emit(sink, c.interface, () => ({ interface: c.interface }), [
        c.rxBytes,
        c.rxPackets,
        c.rxErrors,
        c.rxDropped,
        c.txBytes,
        c.txPackets,
        c.txErrors,
        c.txDropped,
      ]);
    }
    this.network.endCycle();
  }
}
