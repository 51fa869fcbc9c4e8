import type { SampleBlock } from '../store/metrics-store.ts';

/** Agent-local ids below this are kept in flat arrays; agents number their series from 1. */
const DENSE_LIMIT = 1 << 20;

/**
 * An agent's series ids (stream-local, small integers) to global 64-bit ids, split in low and
 * high halves as the store's columns want them. Looked up once per point, so dense ids live
 * in typed arrays (a Map lookup per point was a visible cost of ingest); sparse ones in a Map.
 */
export class SeriesIdTable {
  private lo = new Uint32Array(256);
  private hi = new Uint32Array(256);
  private known = new Uint8Array(256);
  private readonly sparse = new Map<number, [number, number]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return id < DENSE_LIMIT ? id < this.known.length && this.known[id] === 1 : this.sparse.has(id);
  }

  set(id: number, lo: number, hi: number): void {
    if (!this.has(id)) this.count++;
    if (id >= DENSE_LIMIT) {
      this.sparse.set(id, [lo, hi]);
      return;
    }
    if (id >= this.known.length) this.grow(id + 1);
    this.lo[id] = lo;
    this.hi[id] = hi;
    this.known[id] = 1;
  }

  /** Writes the global id of `id` at row `row` of the block; false when the id is unknown. */
  fill(id: number, block: SampleBlock, row: number): boolean {
    if (id < DENSE_LIMIT) {
      if (id >= this.known.length || this.known[id] !== 1) return false;
      block.seriesLo[row] = this.lo[id] as number;
      block.seriesHi[row] = this.hi[id] as number;
      return true;
    }
    const pair = this.sparse.get(id);
    if (!pair) return false;
    block.seriesLo[row] = pair[0];
    block.seriesHi[row] = pair[1];
    return true;
  }

  private grow(min: number): void {
    let n = this.known.length;
    while (n < min) n *= 2;
    const copy = <T extends Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.lo = copy(this.lo, (k) => new Uint32Array(k));
    this.hi = copy(this.hi, (k) => new Uint32Array(k));
    this.known = copy(this.known, (k) => new Uint8Array(k));
  }
}
