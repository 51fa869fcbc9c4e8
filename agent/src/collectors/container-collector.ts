import { type FSWatcher, watch } from 'node:fs';
import {
  type CgroupDriver,
  type ContainerCgroup,
  containerIdFromDirName,
  findKubepods,
  type Kubepods,
  listPods,
  type PodCgroup,
  type PodNameCache,
  podEntryNames,
} from './cgroup/kubepods.ts';
import { type CgroupLayout, type CgroupVersion, detectLayout } from './cgroup/layout.ts';
import { CONTAINER_METRICS, type ContainerFiles, type ReadProblem, StatsReader, VALUE_SLOTS } from './cgroup/stats-reader.ts';
import { type Collector, type Sample, SampleList, type SampleSink } from './collector.ts';
import {
  CgroupFileError,
  type ContainerCollectorOptions,
  type ContainerCollectorStats,
  type Tracked,
  type TrackedPod,
} from './container-tracking.ts';

export { CgroupFileError, type ContainerCollectorOptions, type ContainerCollectorStats } from './container-tracking.ts';

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
  /** Pod listings so far (see relist). */
  private listings = 0;
  private malformedReads = 0;
  private readErrors = 0;
  private readonly reported = new Set<string>();
  /** The metadata source's version when labels were last checked (see readAll). */
  private metaVersion: number | undefined = undefined;
  /** Every tracked container, pod by pod: what a cycle reads (see readAll). */
  private readonly order: Tracked[] = [];
  /** Containers or pods came or went since `order` was made. */
  private orderStale = true;
  private readonly onProblem = (problem: ReadProblem, path: string, err?: unknown) => this.report(problem, path, err);
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
    for (const tp of this.pods.values()) this.forget(tp);
    this.pods.clear();
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
      // Pod directories are watched (see watchPod): let the loop deliver what happened since
      // the last cycle before the pods are listed.
      if ((this.reader as StatsReader).removalUnseen) await new Promise<void>((r) => setImmediate(r));
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
    const cycle = this.cycle;
    const full = this.dirty || cycle - this.lastFullScan >= this.rescanEvery;
    for (const pod of listPods(layout.walk, kp, this.podNames)) {
      let tp = this.pods.get(pod.uid);
      if (!tp) {
        tp = { pod, firstCycle: cycle, seen: cycle, containers: new Map(), watcher: null, changed: false };
        this.pods.set(pod.uid, tp);
        this.watchPod(tp);
        this.relist(tp, false);
        continue;
      }
      tp.seen = cycle;
      if (full || tp.changed || cycle - tp.firstCycle < this.rescanEvery) this.relist(tp, full);
    }
    for (const [uid, tp] of this.pods) {
      if (tp.seen === cycle) continue;
      this.forget(tp);
      this.pods.delete(uid);
    }
    if (full) {
      this.lastFullScan = this.cycle;
      this.dirty = false;
      this.fullScans++;
    }
  }

  /** Closes what a pod holds: its containers' files and its watch. */
  private forget(tp: TrackedPod): void {
    this.orderStale = true;
    for (const t of tp.containers.values()) this.reader?.close(t.files);
    tp.watcher?.close();
    tp.watcher = null;
  }

  /**
   * On a file system that is not the kernel's (tests, benchmarks) a removed cgroup's files
   * still read, where cgroupfs answers ENODEV. Rather than probe every container's directory on
   * every cycle (an access(2) each, ~0.7 ms per cycle for 337 containers), the pod's directory is
   * watched (inotify): when one of its tracked container directories goes, the pod is listed
   * again on the next cycle, which drops it. A pod that cannot be watched (e.g. the inotify
   * watch limit) keeps the per-container probe.
   */
  private watchPod(tp: TrackedPod): void {
    if (!(this.reader as StatsReader).removalUnseen) return;
    try {
      const w = watch(`${(this.layout as CgroupLayout).walk}/${tp.pod.rel}`, { persistent: false }, (_event, name) => {
        if (tp.changed) return;
        if (typeof name !== 'string') {
          tp.changed = true;
          return;
        }
        const suffix = `/${name}`;
        for (const t of tp.containers.values()) {
          if (t.cg.rel.endsWith(suffix)) {
            tp.changed = true;
            return;
          }
        }
      });
      w.on('error', () => {
        w.close();
        if (tp.watcher === w) tp.watcher = null;
      });
      tp.watcher = w;
    } catch {
      tp.watcher = null;
    }
  }

  /**
   * Lists a pod's containers, keeping what is known about those still there. Only a container
   * seen for the first time gets objects; the others are marked with the listing's number.
   */
  private relist(tp: TrackedPod, retryMissingFiles: boolean): void {
    const reader = this.reader as StatsReader;
    const driver = (this.kubepods as Kubepods).driver;
    const listing = ++this.listings;
    tp.changed = false;
    for (const name of podEntryNames((this.layout as CgroupLayout).walk, tp.pod)) {
      const id = containerIdFromDirName(name, driver);
      if (id === undefined) continue;
      const known = tp.containers.get(id);
      if (known) {
        known.listed = listing;
        // Written on every listing, not only on full ones: a store first met after the JIT
        // compiled this function would throw the compiled code away.
        known.files.missing = retryMissingFiles ? 0 : known.files.missing;
        continue;
      }
      const cg: ContainerCgroup = { podUid: tp.pod.uid, qos: tp.pod.qos, containerId: id, rel: `${tp.pod.rel}/${name}` };
      // Every field from the start: one object shape, so the optimized read loop is not
      // thrown away when refreshLabels() first sets meta and labels.
      tp.containers.set(id, {
        cg,
        files: reader.open(cg.rel),
        meta: undefined,
        labels: undefined,
        skip: false,
        handles: new Int32Array(CONTAINER_METRICS.length).fill(-1),
        listed: listing,
        owner: tp,
      });
      this.orderStale = true;
    }
    for (const [id, t] of tp.containers) {
      if (t.listed === listing) continue;
      reader.close(t.files);
      tp.containers.delete(id);
      this.orderStale = true;
    }
  }

  /**
   * Reads every tracked container, `batchSize` reads per event-loop turn. The containers are
   * walked in a flat array made again only when containers came or went, by a synchronous
   * function per turn: the JIT compiles that one early and cheaply, and never needs to compile
   * the async loop around it (which, doing the reads itself, was a 20–40 ms compile in the
   * fourth cycle of every agent).
   */
  private async readAll(sink: SampleSink): Promise<void> {
    // Labels are looked up again only when the metadata may answer differently (or, for a
    // source without a version, every cycle); a new container has none yet either way.
    const metadata = this.options.metadata;
    const version = metadata?.version;
    const recheck = metadata !== undefined && (version === undefined || version !== this.metaVersion);
    this.metaVersion = version;
    if (this.orderStale) {
      const order = this.order;
      order.length = 0;
      for (const tp of this.pods.values()) for (const t of tp.containers.values()) order.push(t);
      this.orderStale = false;
    }
    // refresh() never runs while this loop waits, so `order` stays as it is meanwhile; a
    // container this loop drops is left in it until the next cycle makes it again.
    let at = 0;
    while (at < this.order.length) {
      if (at > 0) await new Promise<void>((r) => setImmediate(r));
      at = this.readBatch(sink, at, recheck);
    }
  }

  /** Reads containers of `order` from `from` until `batchSize` were read; returns where it stopped. */
  private readBatch(sink: SampleSink, from: number, recheck: boolean): number {
    const reader = this.reader as StatsReader;
    const order = this.order;
    const v = this.values;
    const count = this.metricCount;
    let reads = 0;
    let k = from;
    for (; k < order.length && reads < this.batchSize; k++) {
      const t = order[k] as Tracked;
      if (recheck || t.labels === undefined) this.refreshLabels(t);
      if (t.skip) continue;
      reads++;
      if (!reader.read(t.files, v, this.onProblem, t.owner.watcher === null)) {
        t.owner.containers.delete(t.cg.containerId);
        this.orderStale = true;
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
    return k;
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
