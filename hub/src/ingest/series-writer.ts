import type { Clock } from '@ballast/common';
import type { MetricsStore, SeriesRecord } from '../store/metrics-store.ts';
import { Coalescer } from './coalescer.ts';

/**
 * Stores the series dictionaries of many agents in few inserts. Each `insert` resolves once
 * its records are stored (inserts are idempotent: a re-announced series collapses).
 */
export class SeriesWriter {
  private readonly coalescer: Coalescer<SeriesRecord[], void>;

  constructor(store: MetricsStore, clock: Clock, options = { maxItems: 500, delayMs: 20 }) {
    this.coalescer = new Coalescer<SeriesRecord[], void>(
      async (dictionaries) => {
        await store.insertSeries(dictionaries.flat());
        return dictionaries.map(() => undefined);
      },
      clock,
      options,
    );
  }

  insert(records: SeriesRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.coalescer.add(records);
  }
}
