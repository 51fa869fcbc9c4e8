/**
 * Child process of bench/store.ts (chDB binds one data directory per process, so each
 * dataset is loaded in its own process). Inserts a dataset through the hub's
 * ClickHouseMetricsStore into `<dir>`, optionally writes the same points as OpenMetrics
 * text, and prints one JSON line with what it did.
 *
 *   node --import tsx bench/store-load.ts storage --dir D --nodes 20 --steps 8640 --start-ms T [--openmetrics F]
 *   node --import tsx bench/store-load.ts query --dir D --series 100 --steps 60480 --start-ms T
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStoreConnection } from '../hub/src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../hub/src/store/clickhouse-metrics-store.ts';
import type { SampleBlock, SeriesRecord } from '../hub/src/store/metrics-store.ts';
import { type Dataset, nodeMetricsDataset, queryDataset, storedMetricName } from './store-data.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string' },
    nodes: { type: 'string', default: '20' },
    series: { type: 'string', default: '100' },
    steps: { type: 'string', default: '8640' },
    'start-ms': { type: 'string' },
    'chunk-steps': { type: 'string', default: '360' },
    openmetrics: { type: 'string' },
    optimize: { type: 'boolean', default: true },
  },
});
const mode = positionals[0];
const steps = Number(args.steps);
const startMs = Number(args['start-ms']);
const log = (msg: string) => process.stderr.write(`[store-load ${mode}] ${msg}\n`);

const TENANT = 'default';
const CLUSTER = 'bench';

function seriesId(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

async function insert(store: ClickHouseMetricsStore, d: Dataset, chunkSteps: number): Promise<number> {
  const records: SeriesRecord[] = d.series.map((s) => ({
    id: seriesId(s.lo, s.hi),
    tenant: TENANT,
    cluster: CLUSTER,
    node: s.labels.node ?? '',
    metric: storedMetricName(s),
    labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== 'node')),
    kind: s.kind,
    unit: '',
  }));
  await store.insertSeries(records);
  let inserted = 0;
  const started = performance.now();
  for (let k0 = 0; k0 < d.steps; k0 += chunkSteps) {
    const k1 = Math.min(d.steps, k0 + chunkSteps);
    const n = (k1 - k0) * d.series.length;
    const block: SampleBlock = {
      length: n,
      seriesLo: new Uint32Array(n),
      seriesHi: new Uint32Array(n),
      timestampsMs: new Float64Array(n),
      values: new Float64Array(n),
    };
    // Time-major, as scrapes arrive: every series of step k, then step k + 1.
    let i = 0;
    for (let k = k0; k < k1; k++) {
      for (let s = 0; s < d.series.length; s++) {
        const spec = d.series[s] as Dataset['series'][number];
        block.seriesLo[i] = spec.lo;
        block.seriesHi[i] = spec.hi;
        block.timestampsMs[i] = d.timestampsMs[spec.node * d.steps + k] as number;
        block.values[i] = d.values[s * d.steps + k] as number;
        i++;
      }
    }
    await store.insertSamples([{ tenant: TENANT, cluster: CLUSTER, block }], []);
    inserted += n;
    if ((k0 / chunkSteps) % 8 === 0)
      log(`inserted ${inserted.toLocaleString()} points (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  return inserted;
}

/** The same points as OpenMetrics text: families contiguous, each series in time order. */
function writeOpenMetrics(d: Dataset, path: string): number {
  const fd = openSync(path, 'w');
  let samples = 0;
  const families = new Map<string, number[]>();
  d.series.forEach((s, i) => {
    const list = families.get(s.family);
    if (list) list.push(i);
    else families.set(s.family, [i]);
  });
  for (const [family, members] of families) {
    const kind = (d.series[members[0] as number] as Dataset['series'][number]).kind;
    writeSync(fd, `# TYPE ${family} ${kind}\n`);
    for (const s of members) {
      const spec = d.series[s] as Dataset['series'][number];
      const name = storedMetricName(spec);
      const labels = Object.entries(spec.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const prefix = `${name}{${labels}} `;
      let buf = '';
      for (let k = 0; k < d.steps; k++) {
        const ts = d.timestampsMs[spec.node * d.steps + k] as number;
        buf += `${prefix}${d.values[s * d.steps + k]} ${(ts / 1000).toFixed(3)}\n`;
        samples++;
      }
      writeSync(fd, buf);
    }
  }
  writeSync(fd, '# EOF\n');
  closeSync(fd);
  return samples;
}

async function main(): Promise<void> {
  if (!args.dir || !Number.isFinite(startMs)) throw new Error('--dir and --start-ms are required');
  const t0 = performance.now();
  const d =
    mode === 'storage'
      ? nodeMetricsDataset(Number(args.nodes), steps, startMs)
      : mode === 'query'
        ? queryDataset(Number(args.series), steps, startMs)
        : null;
  if (!d) throw new Error(`unknown mode ${mode}`);
  const generateS = (performance.now() - t0) / 1000;
  log(`generated ${d.series.length} series x ${d.steps} steps in ${generateS.toFixed(1)} s`);
  const store = new ClickHouseMetricsStore(openStoreConnection({ kind: 'chdb', path: args.dir }));
  await store.start();
  const t1 = performance.now();
  const points = await insert(store, d, Number(args['chunk-steps']));
  const insertS = (performance.now() - t1) / 1000;
  log(`inserted ${points.toLocaleString()} points in ${insertS.toFixed(1)} s`);
  const before = await store.storageUsage();
  let optimizeS = 0;
  if (args.optimize) {
    const t2 = performance.now();
    await store.optimize();
    optimizeS = (performance.now() - t2) / 1000;
    log(`optimize() in ${optimizeS.toFixed(1)} s`);
  }
  const usage = await store.storageUsage();
  await store.shutdown();
  let openmetricsSamples = 0;
  let openmetricsS = 0;
  if (args.openmetrics) {
    const t3 = performance.now();
    openmetricsSamples = writeOpenMetrics(d, args.openmetrics);
    openmetricsS = (performance.now() - t3) / 1000;
    log(`wrote ${openmetricsSamples.toLocaleString()} OpenMetrics samples in ${openmetricsS.toFixed(1)} s`);
  }
  const result = {
    mode,
    series: d.series.length,
    steps: d.steps,
    points,
    start_ms: d.startMs,
    end_ms: d.startMs + d.steps * d.intervalMs,
    generate_s: generateS,
    insert_s: insertS,
    optimize_s: optimizeS,
    openmetrics_s: openmetricsS,
    openmetrics_samples: openmetricsSamples,
    parts_before_optimize: Object.fromEntries(before.tables.map((t) => [t.table, t.parts])),
    tables: usage.tables.filter((t) => t.rows > 0),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();
