import { join } from 'node:path';
import { parsePressure } from './cgroup/parse.ts';
import { readText } from './cgroup/read-text.ts';
import type { Collector, Sample } from './collector.ts';
import { pressureSamples } from './samples.ts';

export interface NodePressureCollectorOptions {
  /** Directory holding cpu, memory and io (default /proc/pressure). */
  root?: string;
  onError: (source: string, err: unknown) => void;
}

const RESOURCES = ['cpu', 'memory', 'io'] as const;

/**
 * Node-wide pressure stall information as `node_pressure_<resource>_{some,full}_*`. Kernels
 * without PSI (before 4.20, or booted with psi=0) have no files: that yields no samples, not an error.
 */
export class NodePressureCollector implements Collector {
  readonly name = 'node-pressure';
  private readonly root: string;
  private readonly reported = new Set<string>();

  constructor(private readonly options: NodePressureCollectorOptions) {
    this.root = options.root ?? '/proc/pressure';
  }

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  async collect(): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const r of RESOURCES) {
      const path = join(this.root, r);
      try {
        const text = readText(path);
        if (text === undefined) continue;
        const psi = parsePressure(text);
        if (psi === 'malformed') throw new Error(`malformed pressure file ${path}`);
        pressureSamples('node_pressure', r, psi, {}, out);
      } catch (err) {
        // Once per file: a broken file would otherwise log every cycle.
        if (!this.reported.has(path)) this.options.onError(`pressure-${r}`, err);
        this.reported.add(path);
      }
    }
    return out;
  }
}
