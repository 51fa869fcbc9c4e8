import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import si from 'systeminformation';
import type { Collector, Sample } from './collector.ts';
import { parseProcNetDev } from './proc-net-dev.ts';

export interface NodeCollectorOptions {
  procNetDevPath: string;
  /** Called with what failed, so a broken source is visible in the agent's own metrics. */
  onError: (source: string, err: unknown) => void;
}

const CPU_MODES = [
  ['user', 'currentLoadUser'],
  ['system', 'currentLoadSystem'],
  ['nice', 'currentLoadNice'],
  ['idle', 'currentLoadIdle'],
  ['irq', 'currentLoadIrq'],
  ['steal', 'currentLoadSteal'],
] as const;

/** Node-level CPU, load, memory, filesystems and network. */
export class NodeCollector implements Collector {
  readonly name = 'node';

  constructor(private readonly options: NodeCollectorOptions) {}

  async start(): Promise<void> {
    // The first currentLoad() call samples for ~0.5 s to get a baseline; do it before the first cycle.
    await si.currentLoad();
  }

  async shutdown(): Promise<void> {}

  async collect(): Promise<Sample[]> {
    const parts = await Promise.all([
      this.guard('cpu', () => this.cpu()),
      this.guard('memory', () => this.memory()),
      this.guard('filesystem', () => this.filesystems()),
      this.guard('network', () => this.network()),
    ]);
    const [l1, l5, l15] = loadavg();
    return [
      ...parts.flat(),
      gauge('node_load1', {}, l1 ?? 0, ''),
      gauge('node_load5', {}, l5 ?? 0, ''),
      gauge('node_load15', {}, l15 ?? 0, ''),
    ];
  }

  private async guard(source: string, read: () => Promise<Sample[]>): Promise<Sample[]> {
    try {
      return await read();
    } catch (err) {
      this.options.onError(source, err);
      return [];
    }
  }

  private async cpu(): Promise<Sample[]> {
    const load = await si.currentLoad();
    const out = [gauge('node_cpu_usage_percent', {}, load.currentLoad, 'percent')];
    for (const [mode, key] of CPU_MODES) out.push(gauge('node_cpu_mode_percent', { mode }, load[key], 'percent'));
    return out;
  }

  private async memory(): Promise<Sample[]> {
    const m = await si.mem();
    return [
      gauge('node_memory_total_bytes', {}, m.total, 'bytes'),
      gauge('node_memory_available_bytes', {}, m.available, 'bytes'),
      gauge('node_memory_used_bytes', {}, m.total - m.available, 'bytes'),
      gauge('node_memory_free_bytes', {}, m.free, 'bytes'),
      gauge('node_memory_buffcache_bytes', {}, m.buffcache, 'bytes'),
      gauge('node_memory_swap_total_bytes', {}, m.swaptotal, 'bytes'),
      gauge('node_memory_swap_used_bytes', {}, m.swapused, 'bytes'),
    ];
  }

  private async filesystems(): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const fs of await si.fsSize()) {
      const labels = { mountpoint: fs.mount, device: fs.fs, fstype: fs.type };
      out.push(gauge('node_filesystem_size_bytes', labels, fs.size, 'bytes'));
      out.push(gauge('node_filesystem_used_bytes', labels, fs.used, 'bytes'));
      out.push(gauge('node_filesystem_avail_bytes', labels, fs.available, 'bytes'));
    }
    return out;
  }

  private async network(): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const c of parseProcNetDev(await readFile(this.options.procNetDevPath, 'utf8'))) {
      const labels = { interface: c.interface };
      out.push(counter('node_network_receive_bytes_total', labels, c.rxBytes, 'bytes'));
      out.push(counter('node_network_receive_packets_total', labels, c.rxPackets, 'packets'));
      out.push(counter('node_network_receive_errors_total', labels, c.rxErrors, 'errors'));
      out.push(counter('node_network_receive_drop_total', labels, c.rxDropped, 'packets'));
      out.push(counter('node_network_transmit_bytes_total', labels, c.txBytes, 'bytes'));
      out.push(counter('node_network_transmit_packets_total', labels, c.txPackets, 'packets'));
      out.push(counter('node_network_transmit_errors_total', labels, c.txErrors, 'errors'));
      out.push(counter('node_network_transmit_drop_total', labels, c.txDropped, 'packets'));
    }
    return out;
  }
}

function gauge(metric: string, labels: Record<string, string>, value: number, unit: string): Sample {
  return { metric, labels, value, kind: 'gauge', unit };
}

function counter(metric: string, labels: Record<string, string>, value: number, unit: string): Sample {
  return { metric, labels, value, kind: 'counter', unit };
}
