import type { SeriesRecord, SeriesSelector } from './metrics-store.ts';

export interface SeriesCacheLimits {
  /** Selectors remembered at once; the oldest goes first. */
  maxEntries: number;
  /** Series records held over all entries; an answer larger than this is not kept. */
  maxRecords: number;
}

/**
 * Answers of `findSeries` by selector, for a store that sees every write to the series
 * table itself (chDB: one process per data directory). A new series invalidates what was
 * cached for its tenant and metric, so an answer is never staler than the lookup would be.
 *
 * A lookup running while series of its tenant and metric are inserted is not kept: it may
 * have read the table before or after the insert. Failed lookups are not kept either.
 * Callers get their own array each time; the records in it are shared and must not be changed.
 */
export class SeriesCache {
  private readonly entries = new Map<string, { scope: string; records: Promise<SeriesRecord[]>; size: number }>();
  /** Bumped by every insert into a scope (tenant and metric). */
  private readonly generations = new Map<string, number>();
  private records = 0;

  constructor(private readonly limits: SeriesCacheLimits = { maxEntries: 256, maxRecords: 200_000 }) {}

  async find(selector: SeriesSelector, load: () => Promise<SeriesRecord[]>): Promise<SeriesRecord[]> {
    const scope = scopeOf(selector.tenant, selector.metric);
    const key = JSON.stringify([selector.tenant, selector.metric, selector.limit, selector.matchers.map((m) => [m.label, m.op, m.value])]);
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last, so eviction takes the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return (await hit.records).slice();
    }
    const generation = this.generations.get(scope) ?? 0;
    const records = load();
    const entry = { scope, records, size: 0 };
    this.entries.set(key, entry);
    try {
      const found = await records;
      if (this.entries.get(key) === entry) {
        if ((this.generations.get(scope) ?? 0) !== generation || found.length > this.limits.maxRecords) this.entries.delete(key);
        else {
          entry.size = found.length;
          this.records += found.length;
          this.evict();
        }
      }
      return found.slice();
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
  }

  /** Forgets every answer about the tenants and metrics of these series. */
  invalidate(series: ReadonlyArray<Pick<SeriesRecord, 'tenant' | 'metric'>>): void {
    const scopes = new Set(series.map((s) => scopeOf(s.tenant, s.metric)));
    if (scopes.size === 0) return;
    for (const scope of scopes) this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
    for (const [key, entry] of this.entries) {
      if (!scopes.has(entry.scope)) continue;
      this.entries.delete(key);
      this.records -= entry.size;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.records <= this.limits.maxRecords) return;
      this.entries.delete(key);
      this.records -= entry.size;
    }
  }
}

function scopeOf(tenant: string, metric: string): string {
  return `${tenant}\0${metric}`;
}
