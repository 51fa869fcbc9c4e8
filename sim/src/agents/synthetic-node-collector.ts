import type { Collector, Sample } from '@ballast/agent';
import type { Clock } from '@ballast/common';
import type { Rng } from '../core/rng.ts';

export interface NodeShape {
  cpu: number;
  memoryMiB: number;
}

/**
 * Node metrics for a simulated instance, under the same names as the real node collector,
 * so the hub and console cannot tell the difference. CPU follows a daily curve plus noise,
 * scaled by how much of the node the scheduler has filled (`load()`, 0–1).
 */
export class SyntheticNodeCollector implements Collector {
  readonly name = 'synthetic-node';
  private rxBytes = 0;
  private txBytes = 0;

  constructor(
    private readonly shape: NodeShape,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly load: () => number = () => 0.5,
  ) {}

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  async collect(): Promise<Sample[]> {
    const hour = new Date(this.clock.now()).getUTCHours() + new Date(this.clock.now()).getUTCMinutes() / 60;
    const daily = 0.55 + 0.45 * Math.sin(((hour - 8) / 24) * 2 * Math.PI);
    const busy = clamp(100 * (0.08 + 0.8 * this.load() * daily) + this.rng.normal() * 3, 1, 99);
    const steal = clamp(Math.abs(this.rng.normal()) * 0.4, 0, 5);
    const system = busy * 0.25;
    const user = busy - system - steal;
    const total = this.shape.memoryMiB * 1024 * 1024;
    const used = total * clamp(0.15 + 0.7 * this.load() + this.rng.normal() * 0.01, 0.05, 0.98);
    this.rxBytes += Math.floor(busy * 40_000 * (1 + this.rng.next()));
    this.txBytes += Math.floor(busy * 25_000 * (1 + this.rng.next()));
    const load1 = (busy / 100) * this.shape.cpu;
    const g = (metric: string, value: number, unit = '', labels: Record<string, string> = {}): Sample => ({
      metric,
      labels,
      value,
      kind: 'gauge',
      unit,
    });
    const c = (metric: string, value: number, unit: string, labels: Record<string, string>): Sample => ({
      metric,
      labels,
      value,
      kind: 'counter',
      unit,
    });
    return [
      g('node_cpu_usage_percent', busy, 'percent'),
      g('node_cpu_mode_percent', user, 'percent', { mode: 'user' }),
      g('node_cpu_mode_percent', system, 'percent', { mode: 'system' }),
      g('node_cpu_mode_percent', steal, 'percent', { mode: 'steal' }),
      g('node_cpu_mode_percent', 100 - busy, 'percent', { mode: 'idle' }),
      g('node_load1', load1),
      g('node_load5', load1 * 0.95),
      g('node_load15', load1 * 0.9),
      g('node_memory_total_bytes', total, 'bytes'),
      g('node_memory_used_bytes', used, 'bytes'),
      g('node_memory_available_bytes', total - used, 'bytes'),
      c('node_network_receive_bytes_total', this.rxBytes, 'bytes', { interface: 'eth0' }),
      c('node_network_transmit_bytes_total', this.txBytes, 'bytes', { interface: 'eth0' }),
    ];
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
