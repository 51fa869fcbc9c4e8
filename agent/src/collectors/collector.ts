export type SampleKind = 'gauge' | 'counter';

export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
  kind: SampleKind;
  unit: string;
}

/**
 * A source of samples. `collect` returns what the source reads now; it must not throw for
 * one bad reading (skip it and count it) so that one broken file never stops the others.
 */
export interface Collector {
  readonly name: string;
  start(): Promise<void>;
  collect(): Promise<Sample[]>;
  shutdown(): Promise<void>;
}
