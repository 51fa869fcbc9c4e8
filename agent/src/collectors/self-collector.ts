import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Collector, type MetricSpec, type Sample, SampleList, type SampleSink } from './collector.ts';

export interface PipelineDepth {
  bufferedPoints: number;
  droppedPoints: number;
}

export interface SelfCollectorOptions {
  /** Buffer depth and drops, read at each collection (e.g. from Agent.stats()). */
  pipeline?: () => PipelineDepth;
  /** Event-loop delay sampling resolution in ms (default 20). */
  loopResolutionMs?: number;
}

const METRICS: MetricSpec[] = [
  { metric: 'ballast_agent_cpu_seconds_total', kind: 'counter', unit: 'seconds' },
  { metric: 'ballast_agent_resident_memory_bytes', kind: 'gauge', unit: 'bytes' },
  { metric: 'ballast_agent_heap_used_bytes', kind: 'gauge', unit: 'bytes' },
  { metric: 'ballast_agent_heap_total_bytes', kind: 'gauge', unit: 'bytes' },
  { metric: 'ballast_agent_event_loop_lag_p99_seconds', kind: 'gauge', unit: 'seconds' },
  { metric: 'ballast_agent_event_loop_lag_max_seconds', kind: 'gauge', unit: 'seconds' },
  { metric: 'ballast_agent_buffered_points', kind: 'gauge', unit: 'points' },
  { metric: 'ballast_agent_dropped_points_total', kind: 'counter', unit: 'points' },
];
const NO_LABELS: Record<string, string> = {};

/**
 * The agent's own cost and health: CPU seconds, RSS, heap, event-loop lag and pipeline depth,
 * so the ≤ 10 millicore budget is checked in production rather than assumed. A handle per
 * series is kept between cycles (see NodePressureCollector for why).
 */
export class SelfCollector implements Collector {
  readonly name = 'self';
  private histogram?: IntervalHistogram;
  private cpuSeconds = 0;
  private lastCpu?: NodeJS.CpuUsage;
  private scope: object | null = null;
  private readonly handles = new Int32Array(METRICS.length).fill(-1);

  private readonly resolutionMs: number;

  constructor(private readonly options: SelfCollectorOptions = {}) {
    this.resolutionMs = options.loopResolutionMs ?? 20;
  }

  async start(): Promise<void> {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    this.lastCpu = process.cpuUsage();
  }

  async shutdown(): Promise<void> {
    this.histogram?.disable();
    this.histogram = undefined;
  }

  async collect(): Promise<Sample[]> {
    const list = new SampleList();
    await this.collectColumns(list);
    return list.samples;
  }

  async collectColumns(sink: SampleSink): Promise<void> {
    if (sink.scope !== this.scope) {
      this.scope = sink.scope;
      this.handles.fill(-1);
    }
    // Accumulate deltas so the counter starts at zero with this collector and never steps back.
    const now = process.cpuUsage();
    if (this.lastCpu) this.cpuSeconds += (now.user - this.lastCpu.user + now.system - this.lastCpu.system) / 1e6;
    this.lastCpu = now;
    const mem = process.memoryUsage();
    this.push(sink, 0, this.cpuSeconds);
    this.push(sink, 1, mem.rss);
    this.push(sink, 2, mem.heapUsed);
    this.push(sink, 3, mem.heapTotal);
    const h = this.histogram;
    if (h && h.count > 0) {
      // The histogram records whole timer intervals in ns (an idle loop reads ≈ the resolution,
      // measured on Node 20), so the resolution is subtracted to leave the lag. Since the last collection.
      const lag = (ns: number) => Math.max(0, ns / 1e9 - this.resolutionMs / 1e3);
      this.push(sink, 4, lag(h.percentile(99)));
      this.push(sink, 5, lag(h.max));
      h.reset();
    }
    const p = this.options.pipeline?.();
    if (p) {
      this.push(sink, 6, p.bufferedPoints);
      this.push(sink, 7, p.droppedPoints);
    }
  }

  private push(sink: SampleSink, i: number, value: number): void {
    let h = this.handles[i] as number;
    if (h < 0) {
      const m = METRICS[i] as MetricSpec;
      h = sink.handle(m.metric, NO_LABELS, m.kind, m.unit);
      this.handles[i] = h;
    }
    sink.push(h, value);
  }
}
