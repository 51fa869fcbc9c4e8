import { join } from 'node:path';
import { parsePressure } from './cgroup/parse.ts';
import { isMissing } from './cgroup/read-text.ts';
import { type Collector, type MetricSpec, type Sample, SampleList, type SampleSink } from './collector.ts';
import { ProcFile } from './proc-file.ts';

export interface NodePressureCollectorOptions {
  /** Directory holding cpu, memory and io (default /proc/pressure). */
  root?: string;
  onError: (source: string, err: unknown) => void;
}

const RESOURCES = ['cpu', 'memory', 'io'] as const;

/** Per resource, `node_pressure_<resource>_{some,full}_{seconds_total,avg10_percent}`: the kernel's cumulative stall time (rates come from it) and its own 10-second average (what operators read off the file). */
const METRICS: MetricSpec[] = RESOURCES.flatMap((r) =>
  (['some', 'full'] as const).flatMap((k): MetricSpec[] => [
    { metric: `node_pressure_${r}_${k}_seconds_total`, kind: 'counter', unit: 'seconds' },
    { metric: `node_pressure_${r}_${k}_avg10_percent`, kind: 'gauge', unit: 'percent' },
  ]),
);
const NO_LABELS: Record<string, string> = {};

/**
 * Node-wide pressure stall information as `node_pressure_<resource>_{some,full}_*`. Kernels
 * without PSI (before 4.20, or booted with psi=0) have no files: that yields no samples, not an error.
 *
 * Its fast path keeps the three files open and a handle per series, as the node collector
 * does: built through Sample objects, each cycle looked every series up by a sorted label key,
 * work small enough that the JIT compiled it only minutes after start, inside the benchmark.
 */
export class NodePressureCollector implements Collector {
  readonly name = 'node-pressure';
  private readonly files: ProcFile[];
  private readonly reported = new Set<string>();
  private scope: object | null = null;
  private readonly handles = new Int32Array(METRICS.length).fill(-1);

  constructor(private readonly options: NodePressureCollectorOptions) {
    const root = options.root ?? '/proc/pressure';
    this.files = RESOURCES.map((r) => new ProcFile(join(root, r)));
  }

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {
    for (const f of this.files) f.close();
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
    for (let r = 0; r < RESOURCES.length; r++) {
      const file = this.files[r] as ProcFile;
      try {
        let text: string;
        try {
          text = file.read();
        } catch (err) {
          if (isMissing(err)) continue;
          throw err;
        }
        const psi = parsePressure(text);
        if (psi === 'malformed') throw new Error(`malformed pressure file ${file.path}`);
        const base = r * 4;
        this.push(sink, base, psi.some.totalUsec / 1e6);
        this.push(sink, base + 1, psi.some.avg10);
        if (psi.full) {
          this.push(sink, base + 2, psi.full.totalUsec / 1e6);
          this.push(sink, base + 3, psi.full.avg10);
        }
      } catch (err) {
        // Once per file: a broken file would otherwise log every cycle.
        if (!this.reported.has(file.path)) this.options.onError(`pressure-${RESOURCES[r]}`, err);
        this.reported.add(file.path);
      }
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
