import {
  type CgroupDriver,
  type ContainerCgroup,
  findKubepods,
  type Kubepods,
  listContainers,
  listPods,
  type PodCgroup,
  type PodNameCache,
} from './cgroup/kubepods.ts';
import { type CgroupLayout, type CgroupVersion, detectLayout } from './cgroup/layout.ts';
import { CONTAINER_METRICS, type ContainerFiles, type ReadProblem, StatsReader, VALUE_SLOTS } from './cgroup/stats-reader.ts';
import { type Collector, type Sample, SampleList, type SampleSink } from './collector.ts';
import type { PodMetadata, PodMetadataSource } from './pod-metadata.ts';

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
  /**
   * Per-container PSI (`container_pressure_*`, three more files and twelve more series per
   * container; default true). The agent turns it off unless asked: node PSI stays on.
   */
  pressure?: boolean;
  /**
   * `skip`: do not read the pod sandbox's (pause) cgroup, which runs no workload. Only the
   * pod metadata can tell it apart (nothing in a cgroup's name or files does): a cgroup of a
   * known pod whose status lists no container with its id is the sandbox. Without metadata
   * every cgroup is read. Default `include`; the agent skips them unless asked.
   */
  sandboxes?: 'include' | 'skip';
  /** Keep cgroup files open between cycles and re-read them at offset 0 (default true). */
  keepOpen?: boolean;
  /** Called once per file path that is malformed or unreadable (they are counted every time). */
  onError: (source: string, err: unknown) => void;
}

export interface ContainerCollectorStats {
  version?: CgroupVersion;
  driver?: CgroupDriver;
  pods: number;
  containers: number;
  /** Sandbox cgroups not read (sandboxes: 'skip'). */
  skipped: number;
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
  files: ContainerFiles;
  meta?: PodMetadata;
  labels?: Record<string, string>;
  /** The sandbox, when sandboxes are skipped: tracked (so it is not listed again) but not read. */
  skip: boolean;
  /** Series handle per CONTAINER_METRICS entry; -1 until first used under the current labels and sink scope. */
  handles: Int32Array;
}

interface TrackedPod {
  pod: PodCgroup;
  firstCycle: number;
  containers: Map<string, Tracked>;
}

const MAX_REPORTED_PATHS = 1_000;

const OWN_METRICS = [
  { metric: 'ballast_agent_cgroup_containers', kind: 'gauge', unit: 'containers' },
  { metric: 'ballast_agent_cgroup_malformed_reads_total', kind: 'counter', unit: 'reads' },
  { metric: 'ballast_agent_cgroup_read_errors_total', kind: 'counter', unit: 'reads' },
] as const;
const NO_LABELS: Record<string, string> = {};

/**
 * Per-container CPU, throttling, memory, OOM kills, IO and PSI from the kubepods cgroups.
 *
 * Discovery is cached. Each cycle lists only the pod cgroups (a few readdirs) so a new pod
 * shows up within one interval; a pod's containers are listed when it first appears, on
 * every cycle while it is younger than `rescanEvery` cycles (containers start after the
 * sandbox), for every pod every `rescanEvery` cycles, and on the next cycle after any
 * container's cgroup vanished.
 *
 * The fast path (collectColumns) keeps, per container, its files open and a series handle per
 * metric, so a cycle is a pread per file and a push per reading.
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
  private readonly podNames: PodNameCache = new Map();
  private cycle = 0;
  private lastFullScan = Number.NEGATIVE_INFINITY;
  private lastLocate = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private fullScans = 0;
  private malformedReads = 0;
  private readErrors = 0;
  private readonly reported = new Set<string>();
  private readonly skipSandboxes: boolean;
  private readonly values = new Float64Array(VALUE_SLOTS);
  /** Metrics emitted per container: all, or all but the PSI ones. */
  private readonly metricCount: number;
  private scope: object | null = null;
  private readonly ownHandles = new Int32Array(OWN_METRICS.length).fill(-1);

  constructor(private readonly options: ContainerCollectorOptions) {
    this.root = options.root ?? '/sys/fs/cgroup';
    this.rescanEvery = Math.max(1, options.rescanEvery ?? 6);
    this.batchSize = Math.max(1, options.batchSize ?? 32);
    this.skipSandboxes = options.sandboxes === 'skip';
    this.metricCount =
      options.pressure === false
        ? CONTAINER_METRICS.findIndex((m) => m.metric.startsWith('container_pressure_'))
        : CONTAINER_METRICS.length;
  }

  async start(): Promise<void> {
    this.locate();
  }

  /** Closes the cgroup files held open. */
  async shutdown(): Promise<void> {
    for (const tp of this.pods.values()) for (const t of tp.containers.values()) this.reader?.close(t.files);
  }

  stats(): ContainerCollectorStats {
    let containers = 0;
    let skipped = 0;
    for (const p of this.pods.values()) {
      containers += p.containers.size;
      for (const t of p.containers.values()) if (t.skip) skipped++;
    }
    return {
      version: this.layout?.version,
      driver: this.kubepods?.driver,
      pods: this.pods.size,
      containers,
      skipped,
      fullScans: this.fullScans,
      malformedReads: this.malformedReads,
      readErrors: this.readErrors,
    };
  }

  async collect(): Promise<Sample[]> {
    const list = new SampleList();
    await this.collectColumns(list);
    return list.samples;
  }

  async collectColumns(sink: SampleSink): Promise<void> {
    this.cycle++;
    if (sink.scope !== this.scope) {
      // Another id space: every cached handle is stale.
      this.scope = sink.scope;
      this.ownHandles.fill(-1);
      for (const tp of this.pods.values()) for (const t of tp.containers.values()) t.handles.fill(-1);
    }
    if (this.locate()) {
      try {
        this.refresh();
      } catch (err) {
        this.options.onError('cgroup-walk', err);
      }
      await this.readAll(sink);
    }
    let containers = 0;
    for (const p of this.pods.values()) containers += p.containers.size;
    this.own(sink, 0, containers);
    this.own(sink, 1, this.malformedReads);
    this.own(sink, 2, this.readErrors);
  }

  private own(sink: SampleSink, i: number, value: number): void {
    let h = this.ownHandles[i] as number;
    if (h < 0) {
      const m = OWN_METRICS[i] as (typeof OWN_METRICS)[number];
      h = sink.handle(m.metric, NO_LABELS, m.kind, m.unit);
      this.ownHandles[i] = h;
    }
    sink.push(h, value);
  }

  /** Finds the cgroup mount and kubepods; retried every `rescanEvery` cycles until the kubelet has made them. */
  private locate(): boolean {
    if (this.kubepods) return true;
    if (this.cycle - this.lastLocate < this.rescanEvery) return false;
    this.lastLocate = this.cycle;
    try {
      this.layout ??= detectLayout(this.root);
      if (!this.layout) return false;
      this.reader ??= new StatsReader(this.layout, { pressure: this.options.pressure !== false, keepOpen: this.options.keepOpen });
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
    for (const pod of listPods(layout.walk, kp, this.podNames)) {
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
    for (const [uid, tp] of this.pods) {
      if (seen.has(uid)) continue;
      for (const t of tp.containers.values()) this.reader?.close(t.files);
      this.pods.delete(uid);
    }
    if (full) {
      this.lastFullScan = this.cycle;
      this.dirty = false;
      this.fullScans++;
    }
  }

  /** Lists a pod's containers, keeping what is known about those still there. */
  private relist(tp: TrackedPod, retryMissingFiles: boolean): void {
    const reader = this.reader as StatsReader;
    const next = new Map<string, Tracked>();
    for (const cg of listContainers((this.layout as CgroupLayout).walk, tp.pod, (this.kubepods as Kubepods).driver)) {
      const known = tp.containers.get(cg.containerId);
      if (known && retryMissingFiles) known.files.missing = 0;
      next.set(
        cg.containerId,
        // Every field from the start: one object shape, so the optimized read loop is not
        // thrown away when refreshLabels() first sets meta and labels.
        known ?? {
          cg,
          files: reader.open(cg.rel),
          meta: undefined,
          labels: undefined,
          skip: false,
          handles: new Int32Array(CONTAINER_METRICS.length).fill(-1),
        },
      );
    }
    for (const [id, t] of tp.containers) if (!next.has(id)) reader.close(t.files);
    tp.containers = next;
  }

  private async readAll(sink: SampleSink): Promise<void> {
    const reader = this.reader as StatsReader;
    const report = (problem: ReadProblem, path: string, err?: unknown) => this.report(problem, path, err);
    const v = this.values;
    const count = this.metricCount;
    let n = 0;
    // The maps are iterated live: only this loop deletes from them (a Map iterator skips
    // deleted entries), and refresh() never runs while it is suspended at a yield.
    for (const tp of this.pods.values()) {
      for (const t of tp.containers.values()) {
        this.refreshLabels(t);
        if (t.skip) continue;
        if (++n % this.batchSize === 0) await new Promise<void>((r) => setImmediate(r));
        if (!reader.read(t.files, v, report)) {
          tp.containers.delete(t.cg.containerId);
          this.dirty = true;
          continue;
        }
        const labels = t.labels as Record<string, string>;
        const handles = t.handles;
        for (let i = 0; i < count; i++) {
          const x = v[i] as number;
          if (Number.isNaN(x)) continue; // not read
          let h = handles[i] as number;
          if (h < 0) {
            const m = CONTAINER_METRICS[i] as (typeof CONTAINER_METRICS)[number];
            h = sink.handle(m.metric, labels, m.kind, m.unit);
            handles[i] = h;
          }
          sink.push(h, x);
        }
      }
    }
  }

  /** Labels (and whether it is a skipped sandbox) from the metadata; handles are re-resolved when they change. */
  private refreshLabels(t: Tracked): void {
    const meta = this.options.metadata?.lookup(t.cg.podUid, t.cg.containerId);
    // Sources hand back the same object while nothing changed, so labels are built once per change.
    if (t.labels && meta === t.meta) return;
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
    t.handles.fill(-1);
    // The pod is known and its status lists no container with this id: the sandbox. (A
    // container that just started may be missing from the status for a moment; it is read
    // from the update that lists it.)
    const skip = this.skipSandboxes && meta !== undefined && meta.container === '';
    if (skip && !t.skip) (this.reader as StatsReader).close(t.files);
    t.skip = skip;
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
