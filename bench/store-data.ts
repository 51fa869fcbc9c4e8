/**
 * Synthetic node-metrics datasets for bench/store.ts, shaped like node_exporter output:
 * counters that only grow (CPU seconds in 1/100 s ticks, network and disk bytes and
 * operations as integers) and gauges that wander with noise (memory in 4 KiB pages, load
 * averages to two decimals, CPU % at full precision). One scrape timestamp per node and
 * interval, with a per-node phase and a few milliseconds of jitter, as a scraper produces.
 */

export interface SeriesSpec {
  node: number;
  /** Metric family name; counters store samples as `${family}_total`. */
  family: string;
  kind: 'gauge' | 'counter';
  labels: Record<string, string>;
  /** 64-bit id split into halves (hash-like random values). */
  lo: number;
  hi: number;
}

export interface Dataset {
  nodes: number;
  steps: number;
  series: SeriesSpec[];
  /** values[s * steps + k]: series s at step k. */
  values: Float64Array;
  /** timestampsMs[node * steps + k]. */
  timestampsMs: Float64Array;
  startMs: number;
  intervalMs: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Gen = () => number;

/** ~60 series per node: 16 CPU-mode counters, 2 CPU %, 10 memory, 3 load, 8 network, 12 disk, 4 filesystem, 2 procs, 3 kernel counters. */
function nodeSeries(rand: () => number): Array<{ family: string; kind: 'gauge' | 'counter'; labels: Record<string, string>; gen: Gen }> {
  const out: Array<{ family: string; kind: 'gauge' | 'counter'; labels: Record<string, string>; gen: Gen }> = [];
  const busy = 0.1 + rand() * 0.6; // this node's mean utilisation
  let util = busy;
  const utilStep = () => {
    util = Math.min(0.99, Math.max(0.01, util + (busy - util) * 0.05 + (rand() - 0.5) * 0.06));
    return util;
  };
  const counter = (start: number, perStep: () => number, quantum: number): Gen => {
    let ticks = Math.round(start / quantum);
    return () => {
      ticks += Math.max(0, Math.round(perStep() / quantum));
      return quantum === 1 ? ticks : ticks / (1 / quantum);
    };
  };
  const modes: Array<[string, number]> = [
    ['user', 0.55],
    ['system', 0.2],
    ['iowait', 0.05],
    ['irq', 0.01],
    ['softirq', 0.03],
    ['steal', 0.02],
    ['nice', 0.01],
  ];
  for (let cpu = 0; cpu < 2; cpu++) {
    for (const [mode, share] of modes) {
      out.push({
        family: 'node_cpu_seconds',
        kind: 'counter',
        labels: { cpu: String(cpu), mode },
        gen: counter(rand() * 1e6, () => 10 * util * share * (0.7 + rand() * 0.6), 0.01),
      });
    }
    out.push({
      family: 'node_cpu_seconds',
      kind: 'counter',
      labels: { cpu: String(cpu), mode: 'idle' },
      gen: counter(rand() * 1e6, () => 10 * (1 - util) * (0.95 + rand() * 0.1), 0.01),
    });
    out.push({
      family: 'node_cpu_utilisation_percent',
      kind: 'gauge',
      labels: { cpu: String(cpu) },
      gen: () => Math.min(100, Math.max(0, utilStep() * 100 + (rand() - 0.5) * 8)),
    });
  }
  const totalPages = 2 ** 21 * (1 + Math.floor(rand() * 8)); // 8-64 GiB in 4 KiB pages
  const memGauge = (share: number, noise: number): Gen => {
    let pages = Math.round(totalPages * share);
    return () => {
      pages = Math.max(0, Math.round(pages + (totalPages * share - pages) * 0.02 + (rand() - 0.5) * noise * totalPages));
      return pages * 4096;
    };
  };
  out.push({ family: 'node_memory_MemTotal_bytes', kind: 'gauge', labels: {}, gen: () => totalPages * 4096 });
  for (const [name, share, noise] of [
    ['node_memory_MemFree_bytes', 0.2, 0.004],
    ['node_memory_MemAvailable_bytes', 0.45, 0.004],
    ['node_memory_Buffers_bytes', 0.02, 0.0002],
    ['node_memory_Cached_bytes', 0.25, 0.002],
    ['node_memory_Active_bytes', 0.35, 0.003],
    ['node_memory_Inactive_bytes', 0.2, 0.002],
    ['node_memory_Dirty_bytes', 0.001, 0.0004],
    ['node_memory_Slab_bytes', 0.03, 0.0001],
    ['node_memory_working_set_bytes', 0.5, 0.004],
  ] as Array<[string, number, number]>) {
    out.push({ family: name, kind: 'gauge', labels: {}, gen: memGauge(share, noise) });
  }
  for (const [name, lag] of [
    ['node_load1', 0.15],
    ['node_load5', 0.04],
    ['node_load15', 0.012],
  ] as Array<[string, number]>) {
    let load = busy * 2;
    out.push({
      family: name,
      kind: 'gauge',
      labels: {},
      gen: () => {
        load += (util * 2 * (0.8 + rand() * 0.4) - load) * lag;
        return Math.round(load * 100) / 100;
      },
    });
  }
  for (const device of ['eth0', 'eth1']) {
    const rate = device === 'eth0' ? 5e6 : 2e5;
    for (const dir of ['receive', 'transmit']) {
      out.push({
        family: `node_network_${dir}_bytes`,
        kind: 'counter',
        labels: { device },
        gen: counter(rand() * 1e12, () => 10 * rate * util * (0.5 + rand()), 1),
      });
      out.push({
        family: `node_network_${dir}_packets`,
        kind: 'counter',
        labels: { device },
        gen: counter(rand() * 1e9, () => (10 * rate * util * (0.5 + rand())) / 900, 1),
      });
    }
  }
  for (const device of ['nvme0n1', 'nvme1n1']) {
    const counters: Array<[string, number, number]> = [
      ['node_disk_reads_completed', 1e9, 40],
      ['node_disk_writes_completed', 1e9, 120],
      ['node_disk_read_bytes', 1e13, 40 * 16384],
      ['node_disk_written_bytes', 1e13, 120 * 32768],
      ['node_disk_io_time_seconds', 1e6, 0.05],
      ['node_disk_write_time_seconds', 1e6, 0.08],
    ];
    for (const [family, start, perSecond] of counters) {
      const quantum = family.endsWith('_seconds') ? 0.001 : 1;
      out.push({
        family,
        kind: 'counter',
        labels: { device },
        gen: counter(rand() * start, () => 10 * perSecond * util * (0.2 + rand() * 1.6), quantum),
      });
    }
  }
  for (const mountpoint of ['/', '/var/lib/containerd']) {
    const size = 2 ** 30 * (20 + Math.floor(rand() * 180));
    let avail = size * (0.3 + rand() * 0.5);
    out.push({ family: 'node_filesystem_size_bytes', kind: 'gauge', labels: { mountpoint }, gen: () => size });
    out.push({
      family: 'node_filesystem_avail_bytes',
      kind: 'gauge',
      labels: { mountpoint },
      gen: () => {
        avail = Math.max(0, avail - (rand() - 0.45) * 4096 * 64);
        return Math.round(avail / 4096) * 4096;
      },
    });
  }
  out.push({ family: 'node_procs_running', kind: 'gauge', labels: {}, gen: () => Math.max(0, Math.round(util * 4 + (rand() - 0.5) * 3)) });
  out.push({ family: 'node_procs_blocked', kind: 'gauge', labels: {}, gen: () => (rand() < 0.05 ? 1 : 0) });
  out.push({ family: 'node_context_switches', kind: 'counter', labels: {}, gen: counter(rand() * 1e10, () => 10 * 4e3 * (0.3 + util), 1) });
  out.push({ family: 'node_intr', kind: 'counter', labels: {}, gen: counter(rand() * 1e10, () => 10 * 2e3 * (0.3 + util), 1) });
  out.push({ family: 'node_forks', kind: 'counter', labels: {}, gen: counter(rand() * 1e7, () => 10 * 3 * (0.2 + rand()), 1) });
  return out;
}

/** `nodes` nodes x ~60 series, `steps` scrapes every 10 s from `startMs` (align it to a day for one Prometheus block range). */
export function nodeMetricsDataset(nodes: number, steps: number, startMs: number, seed = 42): Dataset {
  const rand = mulberry32(seed);
  const intervalMs = 10_000;
  const specs: SeriesSpec[] = [];
  const gens: Gen[] = [];
  const timestampsMs = new Float64Array(nodes * steps);
  for (let n = 0; n < nodes; n++) {
    const phase = 500 + Math.floor(rand() * 9_000);
    for (let k = 0; k < steps; k++) timestampsMs[n * steps + k] = startMs + k * intervalMs + phase + Math.round((rand() - 0.5) * 40);
    for (const s of nodeSeries(rand)) {
      specs.push({
        node: n,
        family: s.family,
        kind: s.kind,
        labels: { ...s.labels, node: `node-${String(n).padStart(2, '0')}` },
        lo: Math.floor(rand() * 2 ** 32),
        hi: Math.floor(rand() * 2 ** 32),
      });
      gens.push(s.gen);
    }
  }
  // Values are generated step by step across all series of a node (they share `util`).
  const values = new Float64Array(specs.length * steps);
  for (let k = 0; k < steps; k++) for (let s = 0; s < specs.length; s++) values[s * steps + k] = (gens[s] as Gen)();
  return { nodes, steps, series: specs, values, timestampsMs, startMs, intervalMs };
}

/** `series` gauges (random walks) on one grid, for the query benchmark. */
export function queryDataset(series: number, steps: number, startMs: number, seed = 7): Dataset {
  const rand = mulberry32(seed);
  const specs: SeriesSpec[] = [];
  const values = new Float64Array(series * steps);
  const timestampsMs = new Float64Array(series * steps);
  for (let s = 0; s < series; s++) {
    specs.push({
      node: s,
      family: 'bench_query_gauge',
      kind: 'gauge',
      labels: { node: `q-node-${String(s).padStart(3, '0')}`, i: String(s) },
      lo: Math.floor(rand() * 2 ** 32),
      hi: Math.floor(rand() * 2 ** 31),
    });
    let v = 50 + rand() * 50;
    for (let k = 0; k < steps; k++) {
      v = Math.max(0, v + (rand() - 0.5) * 2);
      values[s * steps + k] = v;
      timestampsMs[s * steps + k] = startMs + k * 10_000 + (s % 10) * 100;
    }
  }
  return { nodes: series, steps, series: specs, values, timestampsMs, startMs, intervalMs: 10_000 };
}

export function storedMetricName(s: SeriesSpec): string {
  return s.kind === 'counter' ? `${s.family}_total` : s.family;
}
