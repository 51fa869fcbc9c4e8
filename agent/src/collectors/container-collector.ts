import {
  type CgroupDriver,
  type ContainerCgroup,
  findKubepods,
  type Kubepods,
  listContainers,
  listPods,
  type PodCgroup,
} from './cgroup/kubepods.ts';
import { type CgroupLayout, type CgroupVersion, detectLayout } from './cgroup/layout.ts';
import { type ContainerStats, type ReadProblem, type ReadState, StatsReader } from './cgroup/stats-reader.ts';
import type { Collector, Sample } from './collector.ts';
import type { PodMetadata, PodMetadataSource } from './pod-metadata.ts';
import { counter, gauge, pressureSamples } from './samples.ts';

export interface ContainerCollectorOptions {
  /** Where cgroups are mounted (default /sys/fs/cgroup); v1 or v2 is detected under it. */
  root?: string;
  /** Forces the kubelet cgroup driver instead of probing for kubepods.slice, then kubepods. */
  driver?: CgroupDriver;
  /** Names for pod uids and container ids; without it series carry only pod_uid and container_id. */
  metadata?: PodMetadataSource;
  /** Every this many cycles the containers of every pod are listed again (default 6). */
  rescanEvery?: number;
  /** Containers read per event-loop turn; reads are synchronous, so this bounds the pause (default 32). */
  batchSize?: number;
  /** Called once per file path that is malformed or unreadable (they are counted every time). */
  onError: (source: string, err: unknown) => void;
}

export interface ContainerCollectorStats {
  version?: CgroupVersion;
  driver?: CgroupDriver;
  pods: number;
  containers: number;
  fullScans: number;
  malformedReads: number;
  readErrors: number;
}

/** A cgroup file whose content was not what the kernel writes, or that could not be read. */
export class CgroupFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: ReadProblem,
    cause?: unknown,
  ) {
    super(problem === 'malformed' ? `malformed cgroup file ${path}` : `cannot read cgroup file ${path}`, { cause });
    this.name = 'CgroupFileError';
  }
}

interface Tracked {
  cg: ContainerCgroup;
  paths: (string | undefined)[];
  read: ReadState;
  meta?: PodMetadata;
  labels?: Record<string, string>;
}

interface TrackedPod {
  pod: PodCgroup;
  firstCycle: number;
  containers: Map<string, Tracked>;
}

const MAX_REPORTED_PATHS = 1_000;

/**
 * Per-container CPU, throttling, memory, OOM kills, IO and PSI from the kubepods cgroups.
 *
 * Discovery is cached. Each cycle lists only the pod cgroups (a few readdirs) so a new pod
 * shows up within one interval; a pod's containers are listed when it first appears, on
 * every cycle while it is younger than `rescanEvery` cycles (containers start after the
 * sandbox), for every pod every `rescanEvery` cycles, and on the next cycle after any
 * container's cgroup vanished.
 */
export class ContainerCollector implements Collector {
  readonly name = 'containers';
  private readonly root: string;
  private readonly rescanEvery: number;
  private readonly batchSize: number;
  private layout?: CgroupLayout;
  private reader?: StatsReader;
  private kubepods?: Kubepods;
  private readonly pods = new Map<string, TrackedPod>();
  private cycle = 0;
  private lastFullScan = Number.NEGATIVE_INFINITY;
  private lastLocate = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private fullScans = 0;
  private malformedReads = 0;
  private readErrors = 0;
  private readonly reported = new Set<string>();

  constructor(private readonly options: ContainerCollectorOptions) {
    this.root = options.root ?? '/sys/fs/cgroup';
    this.rescanEvery = Math.max(1, options.rescanEvery ?? 6);
    this.batchSize = Math.max(1, options.batchSize ?? 32);
  }

  async start(): Promise<void> {
    this.locate();
  }

  async shutdown(): Promise<void> {}

  stats(): ContainerCollectorStats {
    let containers = 0;
    for (const p of this.pods.values()) containers += p.containers.size;
    return {
      version: this.layout?.version,
      driver: this.kubepods?.driver,
      pods: this.pods.size,
      containers,
      fullScans: this.fullScans,
      malformedReads: this.malformedReads,
      readErrors: this.readErrors,
    };
  }

  async collect(): Promise<Sample[]> {
    this.cycle++;
    const out: Sample[] = [];
    if (this.locate()) {
      try {
        this.refresh();
      } catch (err) {
        this.options.onError('cgroup-walk', err);
      }
      await this.readAll(out);
    }
    out.push(gauge('ballast_agent_cgroup_containers', {}, this.stats().containers, 'containers'));
    out.push(counter('ballast_agent_cgroup_malformed_reads_total', {}, this.malformedReads, 'reads'));
    out.push(counter('ballast_agent_cgroup_read_errors_total', {}, this.readErrors, 'reads'));
    return out;
  }

  /** Finds the cgroup mount and kubepods; retried every `rescanEvery` cycles until the kubelet has made them. */
  private locate(): boolean {
    if (this.kubepods) return true;
    if (this.cycle - this.lastLocate < this.rescanEvery) return false;
    this.lastLocate = this.cycle;
    try {
      this.layout ??= detectLayout(this.root);
      if (!this.layout) return false;
      this.reader ??= new StatsReader(this.layout);
      this.kubepods = findKubepods(this.layout.walk, this.options.driver);
    } catch (err) {
      this.options.onError('cgroup-detect', err);
    }
    return this.kubepods !== undefined;
  }

  private refresh(): void {
    const layout = this.layout as CgroupLayout;
    const kp = this.kubepods as Kubepods;
    const full = this.dirty || this.cycle - this.lastFullScan >= this.rescanEvery;
    const seen = new Set<string>();
    for (const pod of listPods(layout.walk, kp)) {
      seen.add(pod.uid);
      let tp = this.pods.get(pod.uid);
      if (!tp) {
        tp = { pod, firstCycle: this.cycle, containers: new Map() };
        this.pods.set(pod.uid, tp);
        this.relist(tp, false);
      } else if (full || this.cycle - tp.firstCycle < this.rescanEvery) {
        this.relist(tp, full);
      }
    }
    for (const uid of this.pods.keys()) if (!seen.has(uid)) this.pods.delete(uid);
    if (full) {
      this.lastFullScan = this.cycle;
      this.dirty = false;
      this.fullScans++;
    }
  }

  /** Lists a pod's containers, keeping what is known about those still there. */
  private relist(tp: TrackedPod, retryMissingFiles: boolean): void {
    const next = new Map<string, Tracked>();
    for (const cg of listContainers((this.layout as CgroupLayout).walk, tp.pod, (this.kubepods as Kubepods).driver)) {
      const known = tp.containers.get(cg.containerId);
      if (known && retryMissingFiles) known.read.missing = 0;
      next.set(cg.containerId, known ?? { cg, paths: (this.reader as StatsReader).paths(cg.rel), read: { missing: 0 } });
    }
    tp.containers = next;
  }

  private async readAll(out: Sample[]): Promise<void> {
    const reader = this.reader as StatsReader;
    const report = (problem: ReadProblem, path: string, err?: unknown) => this.report(problem, path, err);
    let n = 0;
    for (const tp of [...this.pods.values()]) {
      for (const t of [...tp.containers.values()]) {
        if (++n % this.batchSize === 0) await new Promise<void>((r) => setImmediate(r));
        const stats = reader.read(t.paths, t.read, report);
        if (stats) {
          emit(stats, this.labelsOf(t), out);
        } else {
          tp.containers.delete(t.cg.containerId);
          this.dirty = true;
        }
      }
    }
  }

  private labelsOf(t: Tracked): Record<string, string> {
    const meta = this.options.metadata?.lookup(t.cg.podUid, t.cg.containerId);
    // Sources hand back the same object while nothing changed, so labels are built once per change.
    if (t.labels && meta === t.meta) return t.labels;
    t.meta = meta;
    const ids = { pod_uid: t.cg.podUid, container_id: t.cg.containerId };
    t.labels = meta
      ? {
          pod: meta.pod,
          namespace: meta.namespace,
          container: meta.container,
          owner_kind: meta.ownerKind,
          owner_name: meta.ownerName,
          ...ids,
        }
      : ids;
    return t.labels;
  }

  private report(problem: ReadProblem, path: string, err?: unknown): void {
    if (problem === 'malformed') this.malformedReads++;
    else this.readErrors++;
    // Counted every time, reported once per path, so a broken file does not flood the log every cycle.
    if (this.reported.has(path) || this.reported.size >= MAX_REPORTED_PATHS) return;
    this.reported.add(path);
    this.options.onError('cgroup-file', new CgroupFileError(path, problem, err));
  }
}

function emit(s: ContainerStats, labels: Record<string, string>, out: Sample[]): void {
  const c = (metric: string, v: number | undefined, unit: string) => v !== undefined && out.push(counter(metric, labels, v, unit));
  const g = (metric: string, v: number | undefined, unit: string) => v !== undefined && out.push(gauge(metric, labels, v, unit));
  c('container_cpu_usage_seconds_total', s.cpuUsageSeconds, 'seconds');
  c('container_cpu_cfs_periods_total', s.cfsPeriods, 'periods');
  c('container_cpu_cfs_throttled_periods_total', s.cfsThrottledPeriods, 'periods');
  c('container_cpu_cfs_throttled_seconds_total', s.cfsThrottledSeconds, 'seconds');
  g('container_memory_usage_bytes', s.memoryUsageBytes, 'bytes');
  g('container_memory_working_set_bytes', s.memoryWorkingSetBytes, 'bytes');
  c('container_oom_events_total', s.oomKills, 'events');
  c('container_fs_reads_bytes_total', s.fsReadBytes, 'bytes');
  c('container_fs_writes_bytes_total', s.fsWriteBytes, 'bytes');
  for (const r of ['cpu', 'memory', 'io'] as const) {
    const psi = s.pressure[r];
    if (psi) pressureSamples('container_pressure', r, psi, labels, out);
  }
}
