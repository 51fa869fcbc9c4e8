export type SampleKind = 'gauge' | 'counter';

export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
  kind: SampleKind;
  unit: string;
}

/**
 * Where a collector's fast path writes one cycle's points: a series is looked up once
 * (`handle`) and its points are then appended by handle, as two columns, without a Sample
 * object or a series key string per point.
 */
export interface SampleSink {
  /**
   * The series' local id (≥ 1), defining it on first use; 0 when the series limit is reached
   * (points pushed with 0 are dropped and counted). Stable while `scope` is the same object.
   */
  handle(metric: string, labels: Record<string, string>, kind: SampleKind, unit: string): number;
  /** Appends one point of the series `handle` returned; NaN and ±Infinity are skipped. */
  push(handle: number, value: number): void;
  /** Appends one sample as collect() returns it (the series is looked up by metric and labels). */
  add(sample: Sample): void;
  /** Identifies the id space handles belong to: when it is another object, cached handles are stale. */
  readonly scope: object;
}

/**
 * A source of samples. `collect` returns what the source reads now; it must not throw for
 * one bad reading (skip it and count it) so that one broken file never stops the others.
 *
 * `collectColumns`, when a collector has it, is what the agent calls instead: the same points
 * as `collect`, written into the sink with handles the collector keeps from cycle to cycle.
 */
export interface Collector {
  readonly name: string;
  start(): Promise<void>;
  collect(): Promise<Sample[]>;
  collectColumns?(sink: SampleSink): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Handles cached by a key the collector chooses (e.g. a metric index and a label value), for
 * series whose labels are not known up front. Emptied when the sink's id space changes.
 */
export class HandleCache {
  private scope: object | null = null;
  private readonly handles = new Map<string, number>();

  get(sink: SampleSink, key: string, metric: string, labels: Record<string, string>, kind: SampleKind, unit: string): number {
    if (sink.scope !== this.scope) {
      this.handles.clear();
      this.scope = sink.scope;
    }
    let h = this.handles.get(key);
    if (h === undefined) {
      h = sink.handle(metric, labels, kind, unit);
      this.handles.set(key, h);
    }
    return h;
  }

  /** Forgets handles whose key is not in `keep` (series that went away, e.g. an unmounted filesystem). */
  retain(keep: (key: string) => boolean): void {
    for (const k of this.handles.keys()) if (!keep(k)) this.handles.delete(k);
  }

  get size(): number {
    return this.handles.size;
  }
}

/** A collector's samples through a sink: its fast path when it has one. */
export async function collectInto(c: Collector, sink: SampleSink): Promise<void> {
  if (c.collectColumns) {
    await c.collectColumns(sink);
    return;
  }
  for (const s of await c.collect()) sink.add(s);
}

/**
 * A sink that turns points back into Sample objects: what collect() returns for a collector
 * whose real work is in collectColumns(). A new one per call; its scope is itself.
 */
export class SampleList implements SampleSink {
  readonly samples: Sample[] = [];
  private readonly series: Omit<Sample, 'value'>[] = [];

  get scope(): object {
    return this;
  }

  handle(metric: string, labels: Record<string, string>, kind: SampleKind, unit: string): number {
    this.series.push({ metric, labels, kind, unit });
    return this.series.length;
  }

  push(handle: number, value: number): void {
    const s = this.series[handle - 1];
    if (s) this.samples.push({ ...s, value });
  }

  add(sample: Sample): void {
    this.samples.push(sample);
  }
}

export interface MetricSpec {
  metric: string;
  kind: SampleKind;
  unit: string;
}

/**
 * Handles for a family of series that share their labels, one row per label set (an
 * interface, a mount): the labels are built when a row first appears, the handles resolved
 * on first use. Rows not emitted in a cycle are forgotten at `endCycle()`, so churning
 * label values (veth interfaces) do not accumulate.
 */
export class SeriesFamily {
  private scope: object | null = null;
  private readonly rows = new Map<string, { handles: Int32Array; labels: Record<string, string>; cycle: number }>();
  private cycle = 0;

  constructor(private readonly metrics: readonly MetricSpec[]) {}

  /** Pushes values[i] as metrics[i] for the row `key`; non-finite and undefined values are skipped. */
  emit(sink: SampleSink, key: string, labels: () => Record<string, string>, values: ArrayLike<number | undefined>): void {
    if (sink.scope !== this.scope) {
      this.rows.clear();
      this.scope = sink.scope;
    }
    let row = this.rows.get(key);
    if (!row) {
      row = { handles: new Int32Array(this.metrics.length).fill(-1), labels: labels(), cycle: this.cycle };
      this.rows.set(key, row);
    }
    row.cycle = this.cycle;
    for (let i = 0; i < this.metrics.length; i++) {
      const v = values[i];
      if (v === undefined || !Number.isFinite(v)) continue;
      let h = row.handles[i] as number;
      if (h < 0) {
        const m = this.metrics[i] as MetricSpec;
        h = sink.handle(m.metric, row.labels, m.kind, m.unit);
        row.handles[i] = h;
      }
      sink.push(h, v);
    }
  }

  /** Forgets rows not emitted since the last call. */
  endCycle(): void {
    for (const [k, row] of this.rows) if (row.cycle !== this.cycle) this.rows.delete(k);
    this.cycle++;
  }
}
