/**
 * Store benchmark: (a) end-to-end ingest with 1,000 and 5,000 simulated agents over real
 * gRPC into a real hub process; (b) bytes per point on disk after merges for one day of
 * node metrics, against Prometheus (promtool backfill) on the same points; (c) a 7-day,
 * 100-series range query through the HTTP API of a real hub. Writes bench/results/store.json.
 *
 *   npm run bench:store -- [--agents 1000,5000] [--seconds 20] [--nodes 20] [--hours 24]
 *                          [--query-series 100] [--query-days 7] [--skip ingest,storage,query] [--profile DIR]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startHub, tempDir } from '@ballast/testkit';
import { percentile, startAgents } from './agent-load.ts';
import { cpuSeconds } from './proc-stats.ts';

const { values: args } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000,5000' },
    series: { type: 'string', default: '200' },
    steps: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    'in-flight': { type: 'string', default: '2' },
    'agents-per-channel': { type: 'string', default: '50' },
    nodes: { type: 'string', default: '20' },
    hours: { type: 'string', default: '24' },
    'query-series': { type: 'string', default: '100' },
    'query-days': { type: 'string', default: '7' },
    'query-runs': { type: 'string', default: '50' },
    'max-warmup': { type: 'string', default: '120' },
    skip: { type: 'string', default: '' },
    profile: { type: 'string' },
    out: { type: 'string', default: new URL('./results/store.json', import.meta.url).pathname },
  },
});
const skip = new Set(args.skip.split(',').filter(Boolean));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (msg: string) => process.stdout.write(`[bench:store ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const result: Record<string, unknown> = {};

/** Runs bench/store-load.ts in a child (chDB: one data directory per process) and returns its JSON line. */
function load(mode: string, loadArgs: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/store-load.ts', mode, ...loadArgs], {
      cwd: new URL('../', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`store-load ${mode} exited with ${code}`));
      else resolve(JSON.parse(line));
    });
  });
}

function dirBytes(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((s, f) => s + dirBytes(join(path, f)), 0);
}

async function ingest(agents: number): Promise<Record<string, unknown>> {
  const dir = tempDir('bench-store-ingest');
  const profiling = args.profile !== undefined && agents === Number(args.agents.split(',')[0]);
  const env: Record<string, string> = { BALLAST_FLUSH_INTERVAL_MS: '200' };
  if (profiling) {
    // Node 20 refuses --cpu-prof in NODE_OPTIONS; the hook starts the profiler through the inspector.
    env.NODE_OPTIONS = `--import tsx --import ${new URL('./store-profile-hook.ts', import.meta.url).pathname}`;
    env.BALLAST_BENCH_PROFILE_DIR = args.profile as string;
  }
  const hub = await startHub({ dataDir: dir.path, env });
  const o = {
    address: hub.grpcAddress,
    agents,
    series: Number(args.series),
    steps: Number(args.steps),
    inFlight: Number(args['in-flight']),
    agentsPerChannel: Number(args['agents-per-channel']),
  };
  log(
    `ingest: ${agents} agents x ${o.series} series, ${o.steps} steps per batch, ${o.inFlight} in flight, ${o.agentsPerChannel} per channel`,
  );
  const load = startAgents(o);
  try {
    // Warm-up: every stream welcomed, then a few seconds of steady state.
    const warmStart = performance.now();
    const upBy = performance.now() + 90_000;
    while (load.stats.welcomed < agents && performance.now() < upBy) await new Promise((r) => setTimeout(r, 250));
    // Then until acks flow: as many acks as streams up (with 2 batches in flight per agent and
    // thousands of agents, the first acks can take tens of seconds), plus 5 s.
    log(`ingest: ${load.stats.welcomed}/${agents} streams up; waiting for acks to flow`);
    const flowBy = performance.now() + Number(args['max-warmup']) * 1000;
    while (load.stats.acksSeen < load.stats.welcomed && performance.now() < flowBy) await new Promise((r) => setTimeout(r, 250));
    const warmupS = round((performance.now() - warmStart) / 1000);
    log(`ingest: ${load.stats.acksSeen} acks after ${warmupS} s; measuring after 5 s more`);
    await new Promise((r) => setTimeout(r, 5_000));
    const hubCpu0 = cpuSeconds(hub.process.pid);
    const selfCpu0 = process.cpuUsage();
    load.stats.measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
    load.stats.measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    const hubCpu = cpuSeconds(hub.process.pid) - hubCpu0;
    const self = process.cpuUsage(selfCpu0);
    await load.stop();
    const sorted = load.stats.latencies.sort((a, b) => a - b);
    const r = {
      agents,
      points_per_second: Math.round(load.stats.ackedPoints / elapsed),
      duration_s: round(elapsed),
      batches_acked: load.stats.ackedBatches,
      points_per_batch: o.series * o.steps,
      p50_ack_ms: round(percentile(sorted, 50)),
      p99_ack_ms: round(percentile(sorted, 99)),
      stream_errors: load.stats.errors,
      streams_up: load.stats.welcomed,
      warmup_s: warmupS,
      hub_cpu_cores_used: round(hubCpu / elapsed, 2),
      bench_cpu_cores_used: round((self.user + self.system) / 1e6 / elapsed, 2),
    };
    log(`ingest: ${JSON.stringify(r)}`);
    return r;
  } finally {
    await hub.process.stop();
    dir.remove();
  }
}

async function storage(): Promise<void> {
  const dir = tempDir('bench-store-storage');
  try {
    const steps = Math.round((Number(args.hours) * 3600) / 10);
    // Start on a UTC day boundary a few days back: one ClickHouse partition, and Prometheus block ranges aligned to it.
    const startMs = (Math.floor(Date.now() / 86_400_000) - 2) * 86_400_000;
    const om = join(dir.path, 'samples.om.txt');
    log(`storage: ${args.nodes} nodes x ~60 series x ${steps} steps (10 s), insert through ClickHouseMetricsStore, optimize()`);
    const t0 = performance.now();
    const r = await load('storage', [
      '--dir',
      join(dir.path, 'chdb'),
      '--nodes',
      args.nodes,
      '--steps',
      String(steps),
      '--start-ms',
      String(startMs),
      '--openmetrics',
      om,
    ]);
    const tables = r.tables as Array<{
      table: string;
      rows: number;
      bytesOnDisk: number;
      bytesUncompressed: number;
      points: number | null;
      parts: number;
    }>;
    const samples = tables.find((t) => t.table === 'samples');
    if (!samples) throw new Error('no samples table in storage usage');
    const points = Number(r.points);
    const rollup = (name: string) => tables.find((t) => t.table === name)?.bytesOnDisk ?? 0;
    log(`storage: loaded in ${round((performance.now() - t0) / 1000)} s; running promtool`);
    const promDir = join(dir.path, 'prometheus');
    const t1 = performance.now();
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', om, promDir], { stdio: 'inherit' });
    const promtoolS = (performance.now() - t1) / 1000;
    const blocks = readdirSync(promDir).filter((b) => statSync(join(promDir, b)).isDirectory());
    let chunks = 0;
    let index = 0;
    let whole = 0;
    let maxIndex = 0;
    let promSamples = 0;
    let promSeries = 0;
    for (const b of blocks) {
      const c = dirBytes(join(promDir, b, 'chunks'));
      const i = statSync(join(promDir, b, 'index')).size;
      chunks += c;
      index += i;
      maxIndex = Math.max(maxIndex, i);
      whole += dirBytes(join(promDir, b));
      const meta = JSON.parse(readFileSync(join(promDir, b, 'meta.json'), 'utf8')) as { stats: { numSamples: number; numSeries: number } };
      promSamples += meta.stats.numSamples;
      promSeries = Math.max(promSeries, meta.stats.numSeries);
    }
    Object.assign(result, {
      bytes_per_point: round(samples.bytesOnDisk / points, 3),
      prometheus_bytes_per_point: round(chunks / promSamples, 3),
      prometheus_bytes_per_point_whole_blocks: round(whole / promSamples, 3),
      prometheus_bytes_per_point_chunks_plus_one_index: round((chunks + maxIndex) / promSamples, 3),
      storage_dataset: {
        nodes: Number(args.nodes),
        series: r.series,
        interval_s: 10,
        hours: Number(args.hours),
        points,
        prometheus_samples: promSamples,
        prometheus_series: promSeries,
        openmetrics_file_bytes: statSync(om).size,
      },
      storage_samples_table: {
        bytes_on_disk: samples.bytesOnDisk,
        bytes_uncompressed: samples.bytesUncompressed,
        rows: samples.rows,
        parts: samples.parts,
      },
      storage_rollup_1m_bytes_per_raw_point: round(rollup('samples_1m') / points, 3),
      storage_rollup_5m_bytes_per_raw_point: round(rollup('samples_5m') / points, 3),
      storage_rollup_1h_bytes_per_raw_point: round(rollup('samples_1h') / points, 3),
      storage_total_bytes_per_point_with_rollups: round(
        (samples.bytesOnDisk + rollup('samples_1m') + rollup('samples_5m') + rollup('samples_1h')) / points,
        3,
      ),
      storage_insert_s: round(Number(r.insert_s)),
      storage_insert_points_per_second: Math.round(points / Number(r.insert_s)),
      storage_optimize_s: round(Number(r.optimize_s)),
      prometheus_blocks: blocks.length,
      prometheus_block_note:
        'promtool 2.42 has no --max-block-duration: it writes 2h blocks. Compaction concatenates chunks without re-encoding them, so chunks bytes equal a compacted block; index bytes shrink to about one block index (chunks_plus_one_index).',
      prometheus_chunks_bytes: chunks,
      prometheus_index_bytes: index,
      prometheus_whole_blocks_bytes: whole,
      promtool_s: round(promtoolS),
    });
    log(
      `storage: ballast ${result.bytes_per_point} B/point (samples table), prometheus ${result.prometheus_bytes_per_point} B/sample (chunks), ${result.prometheus_bytes_per_point_whole_blocks} (whole 2h blocks)`,
    );
  } finally {
    dir.remove();
  }
}

async function query(): Promise<void> {
  const dir = tempDir('bench-store-query');
  try {
    const seriesCount = Number(args['query-series']);
    const days = Number(args['query-days']);
    const steps = days * 8640;
    const endMs = Math.floor(Date.now() / 300_000) * 300_000;
    const startMs = endMs - days * 86_400_000;
    log(`query: loading ${seriesCount} series x ${days} days at 10 s (${(seriesCount * steps).toLocaleString()} points)`);
    const r = await load('query', [
      '--dir',
      join(dir.path, 'chdb'),
      '--series',
      String(seriesCount),
      '--steps',
      String(steps),
      '--start-ms',
      String(startMs),
      '--chunk-steps',
      '2160',
    ]);
    log(`query: loaded in ${round(Number(r.insert_s))} s (+ optimize ${round(Number(r.optimize_s))} s); starting a hub on the directory`);
    const hub = await startHub({ dataDir: dir.path });
    try {
      const url = new URL('/api/v1/metrics/query', hub.httpUrl);
      url.searchParams.append('match[]', 'bench_query_gauge{node=~"q-node-.*"}');
      url.searchParams.set('start', String(startMs / 1000));
      url.searchParams.set('end', String(endMs / 1000));
      url.searchParams.set('step', '5m');
      url.searchParams.set('agg', 'avg');
      const once = async () => {
        const t = performance.now();
        const res = await fetch(url);
        const body = (await res.json()) as { resolution?: string; series?: Array<{ points: unknown[] }>; error?: unknown };
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`query answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
        return { ms, body };
      };
      let first = await once();
      for (let i = 0; i < 2; i++) first = await once();
      const times: number[] = [];
      const runs = Number(args['query-runs']);
      for (let i = 0; i < runs; i++) times.push((await once()).ms);
      times.sort((a, b) => a - b);
      const series = first.body.series ?? [];
      Object.assign(result, {
        query_7d_p50_ms: round(percentile(times, 50)),
        query_7d_p99_ms: round(percentile(times, 99)),
        query_7d_max_ms: round(times[times.length - 1] as number),
        query_7d_resolution: first.body.resolution,
        query_7d_series_returned: series.length,
        query_7d_points_per_series: series[0]?.points.length ?? 0,
        query_7d_runs: runs,
        query_7d_dataset: { series: seriesCount, days, interval_s: 10, points: r.points, step: '5m', agg: 'avg', optimized: true },
        query_7d_load_s: round(Number(r.insert_s)),
      });
      log(
        `query: p50 ${result.query_7d_p50_ms} ms, p99 ${result.query_7d_p99_ms} ms, resolution ${first.body.resolution}, ${series.length} series x ${result.query_7d_points_per_series} points`,
      );
    } finally {
      await hub.process.stop();
    }
  } finally {
    dir.remove();
  }
}

/** Writes what is measured so far (after each phase, so a failing phase loses nothing); keys of a skipped phase are kept from the file. */
function save(): void {
  result.measured_at = new Date().toISOString();
  mkdirSync(join(args.out, '..'), { recursive: true });
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(args.out, 'utf8'));
  } catch {}
  writeFileSync(args.out, `${JSON.stringify({ ...previous, ...result }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  result.cpu_cores = cpus().length;
  result.node = process.version;
  result.store = 'chdb';
  if (!skip.has('storage')) {
    await storage();
    save();
  }
  if (!skip.has('query')) {
    await query();
    save();
  }
  if (!skip.has('ingest')) {
    for (const n of args.agents.split(',').map(Number)) {
      const r = await ingest(n);
      result[`ingest_points_per_second_${n}_agents`] = r.points_per_second;
      result[`ingest_${n}_agents`] = r;
      save();
    }
    result.ingest_note =
      'Hub and bench share the same cores: the simulated agents (protobuf encode, gRPC) compete with the hub for CPU, so these are lower bounds for a hub on its own cores.';
  }
  result.bench_duration_s = round((performance.now() - t0) / 1000);
  save();
  log(`wrote ${args.out}`);
}

await main();
