import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreConnection, type StoreConnection } from '../src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../src/store/clickhouse-metrics-store.ts';
import { SINGLE_NODE } from '../src/store/ddl.ts';
import type { SampleBlock, StorageUsage } from '../src/store/metrics-store.ts';

/**
 * Bytes per point of the real schema on a realistic day of node metrics (the numbers next
 * to the DDL in schema.ts come from here). BALLAST_MEASURE_CODECS=1 also compares codec
 * alternatives column by column on 10 nodes and prints the table.
 */

/** Seeded PRNG (mulberry32): the same dataset on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Series {
  id: bigint;
  counter: boolean;
  ts: Float64Array;
  values: Float64Array;
}

/**
 * One day at 10 s per node, shaped like the agent's output: CPU shares as full doubles,
 * memory and filesystem bytes as wandering multiples of 4 KiB, load and PSI averages with
 * two decimals (PSI mostly 0), network and PSI totals as counters with drifting rates,
 * and 0-15 ms of timer jitter on every timestamp. 63 series per node.
 */
function nodeMetricsDay(nodes: number, t0Ms: number): Series[] {
  const r = rng(1);
  const n = 8640;
  const out: Series[] = [];
  const walk = (v: number, step: number, lo: number, hi: number) => () => {
    v = Math.min(hi, Math.max(lo, v + (r() - 0.5) * step));
    return v;
  };
  for (let node = 0; node < nodes; node++) {
    const offset = Math.floor(r() * 1000);
    const ts = Float64Array.from({ length: n }, (_, i) => t0Ms + i * 10_000 + offset + Math.floor(r() * 15));
    const add = (counter: boolean, f: (i: number) => number) =>
      out.push({
        id: (BigInt(out.length + 1) * 0x9e3779b97f4a7c15n) % 2n ** 64n,
        counter,
        ts,
        values: Float64Array.from({ length: n }, (_, i) => f(i)),
      });
    const cpu = Array.from({ length: n }, walk(30, 8, 1, 99));
    add(false, (i) => cpu[i] as number);
    for (const share of [0.7, 0.25, 0, 0.03, 0.02]) add(false, (i) => (cpu[i] as number) * share * (0.9 + r() * 0.2));
    add(false, (i) => 100 - (cpu[i] as number));
    const total = 16 * 2 ** 30;
    const used = Array.from({ length: n }, walk(6 * 2 ** 30, 64 * 2 ** 20, 2 ** 30, 15 * 2 ** 30)).map((v) => Math.round(v / 4096) * 4096);
    const cache = walk(4 * 2 ** 30, 16 * 2 ** 20, 2 ** 30, 8 * 2 ** 30);
    add(false, () => total);
    add(false, (i) => used[i] as number);
    add(false, (i) => total - (used[i] as number));
    add(false, () => Math.round(cache() / 4096) * 4096);
    add(false, (i) => total - (used[i] as number) - 4 * 2 ** 30);
    add(false, () => 0);
    add(false, () => 0);
    for (let l = 0; l < 3; l++) {
      const load = walk(1.5, 0.3, 0, 16);
      add(false, () => Math.round(load() * 100) / 100);
    }
    for (let m = 0; m < 2; m++) {
      let fs = 20 * 2 ** 30;
      const fsUsed = Array.from({ length: n }, () => (fs += Math.floor(r() * 64) * 4096));
      add(false, () => 100 * 2 ** 30);
      add(false, (i) => fsUsed[i] as number);
      add(false, (i) => 100 * 2 ** 30 - (fsUsed[i] as number));
    }
    for (let k = 0; k < 2 * 4; k++) {
      const scale = k % 2 ? 2e3 : 2e6;
      const rate = walk(scale, scale / 5, 0, scale * 10);
      let c = Math.floor(r() * 1e9);
      add(true, () => (c += Math.floor(rate() * 10)));
    }
    for (let k = 0; k < 2 * 4; k++) {
      let c = 0;
      add(true, () => (c += r() < 0.001 ? 1 : 0));
    }
    for (let k = 0; k < 6; k++) {
      for (let w = 0; w < 3; w++) {
        const p = walk(0.5, 0.4, 0, 30);
        add(false, () => (r() < 0.6 ? 0 : Math.round(p() * 100) / 100));
      }
      let stall = Math.floor(r() * 1e10);
      add(true, () => (stall += Math.floor(r() * 50_000)));
    }
  }
  return out;
}

/** ~5 minutes of every series per insert, as the hub's flushes group them. */
function* blocks(data: Series[], perInsert = 30): Generator<SampleBlock> {
  for (let i0 = 0; i0 < 8640; i0 += perInsert) {
    const i1 = Math.min(i0 + perInsert, 8640);
    const n = data.length * (i1 - i0);
    const b: SampleBlock = {
      length: n,
      seriesLo: new Uint32Array(n),
      seriesHi: new Uint32Array(n),
      timestampsMs: new Float64Array(n),
      values: new Float64Array(n),
    };
    let k = 0;
    for (const s of data) {
      for (let i = i0; i < i1; i++, k++) {
        b.seriesLo[k] = Number(s.id & 0xffff_ffffn);
        b.seriesHi[k] = Number(s.id >> 32n);
        b.timestampsMs[k] = s.ts[i] as number;
        b.values[k] = s.values[i] as number;
      }
    }
    yield b;
  }
}

let dir = '';
let connection: StoreConnection;
let store: ClickHouseMetricsStore;
const T0 = Date.UTC(2025, 0, 1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-codecs-'));
  connection = openStoreConnection({ kind: 'chdb', path: dir });
  const forever = { raw: 0, oneMinute: 0, oneHour: 0, events: 0, logs: 0, ledger: 0 };
  store = new ClickHouseMetricsStore(connection, { layout: SINGLE_NODE, retention: forever });
  await store.start();
});

afterAll(async () => {
  await store?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('storage cost of the schema on a day of node metrics', () => {
  let usage: StorageUsage;

  beforeAll(async () => {
    const data = nodeMetricsDay(2, T0);
    for (const b of blocks(data)) await store.insertSamples([{ tenant: 't', cluster: 'c', block: b }], []);
    await store.optimize();
    usage = await store.storageUsage();
    console.table(usage.tables.filter((t) => t.rows > 0));
  }, 180_000);

  it('raw samples take under 3.2 bytes per point (2.86 measured on 10 nodes)', () => {
    const samples = usage.tables.find((t) => t.table === 'samples');
    expect(samples?.rows).toBe(2 * 63 * 8640);
    expect(samples?.bytesPerPoint).toBeLessThan(3.2);
  });

  it('rollups stand for every point; their size per raw point stays within the measured bounds', () => {
    const m1 = usage.tables.find((t) => t.table === 'samples_1m');
    const h1 = usage.tables.find((t) => t.table === 'samples_1h');
    expect(m1?.points).toBe(2 * 63 * 8640);
    expect(h1?.points).toBe(2 * 63 * 8640);
    expect(m1?.rows).toBe(2 * 63 * 1440);
    expect(h1?.rows).toBe(2 * 63 * 24);
    expect(m1?.bytesPerPoint).toBeLessThan(4.6); // 4.14 measured: the digest and argMax states dominate
    expect(h1?.bytesPerPoint).toBeLessThan(1.2); // 1.01 measured
  });
});
