import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Collector, Sample } from './collector.ts';
import { counter, gauge } from './samples.ts';

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

/**
 * The agent's own cost and health: CPU seconds, RSS, heap, event-loop lag and pipeline depth,
 * so the ≤ 10 millicore budget is checked in production rather than assumed.
 */
export class SelfCollector implements Collector {
  readonly name = 'self';
  private histogram?: IntervalHistogram;
  private cpuSeconds = 0;
  private lastCpu?: NodeJS.CpuUsage;

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
    // Accumulate deltas so the counter starts at zero with this collector and never steps back.
    const now = process.cpuUsage();
    if (this.lastCpu) this.cpuSeconds += (now.user - this.lastCpu.user + now.system - this.lastCpu.system) / 1e6;
    this.lastCpu = now;
    const mem = process.memoryUsage();
    const out = [
      counter('ballast_agent_cpu_seconds_total', {}, this.cpuSeconds, 'seconds'),
      gauge('ballast_agent_resident_memory_bytes', {}, mem.rss, 'bytes'),
      gauge('ballast_agent_heap_used_bytes', {}, mem.heapUsed, 'bytes'),
      gauge('ballast_agent_heap_total_bytes', {}, mem.heapTotal, 'bytes'),
    ];
    const h = this.histogram;
    if (h && h.count > 0) {
      // The histogram records whole timer intervals in ns (an idle loop reads ≈ the resolution,
      // measured on Node 20), so the resolution is subtracted to leave the lag. Since the last collection.
      const lag = (ns: number) => Math.max(0, ns / 1e9 - this.resolutionMs / 1e3);
      out.push(gauge('ballast_agent_event_loop_lag_p99_seconds', {}, lag(h.percentile(99)), 'seconds'));
      out.push(gauge('ballast_agent_event_loop_lag_max_seconds', {}, lag(h.max), 'seconds'));
      h.reset();
    }
    const p = this.options.pipeline?.();
    if (p) {
      out.push(gauge('ballast_agent_buffered_points', {}, p.bufferedPoints, 'points'));
      out.push(counter('ballast_agent_dropped_points_total', {}, p.droppedPoints, 'points'));
    }
    return out;
  }
}
