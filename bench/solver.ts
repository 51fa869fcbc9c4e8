/**
 * Solver benchmark: 1,000 pods × 50 pools built from the real data in ../shared/data
 * (bench/solver-data.ts), solved through PlacementSolver (the worker thread the hub uses)
 * with the production constraints on (share caps, on-demand floor, a force-on-demand
 * override, AZ spread, a disruption budget against a current fleet, a family allow-list).
 *
 * Measures, on a warm worker (the hub keeps one for its lifetime):
 *  - time_to_1pct_s: from solve() until the first plan within 1% of the best known plan.
 *    The best known plan comes from a long reference run and is itself proven within
 *    `reference.gap` of the optimum (reported). Median over `--runs` runs.
 *  - gap: the proven gap (plan vs lower bound) when the timed run returned;
 *  - cost_ratio_vs_ffd: plan cost ÷ first-fit-decreasing cost;
 *  - max_event_loop_stall_ms: the main thread's longest event-loop delay during the timed
 *    runs (monitorEventLoopDelay, 1 ms resolution; garbage from loading the data is
 *    collected before each run so that the figure is the solver's); the same during the
 *    long reference run is reported beside it.
 * Writes bench/results/solver.json.
 *
 *   flock /tmp/ballast-bench.lock npm run bench:solver -- [--pods 1000] [--seed 1] [--runs 3]
 *        [--time-limit 10] [--reference-time-limit 120] [--data ../shared/data/]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PlacementSolver, type SolveResult } from '../hub/src/solver/index.ts';
import { benchProblem, INTERRUPTION_COST_USD, loadBenchData } from './solver-data.ts';

// The stall measured should be the solver's: collect the garbage of reading 12 MB of CSV
// before each run rather than let a major GC land inside it. (The npm script has no
// --expose-gc; this is the runtime equivalent.)
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values: args } = parseArgs({
  options: {
    pods: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    'time-limit': { type: 'string', default: '10' },
    'reference-time-limit': { type: 'string', default: '120' },
    data: { type: 'string', default: new URL('../../shared/data/', import.meta.url).pathname },
    out: { type: 'string', default: new URL('./results/solver.json', import.meta.url).pathname },
  },
});
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (msg: string) => process.stdout.write(`[bench:solver ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface TimedRun {
  result: SolveResult;
  wallS: number;
  maxStallMs: number;
  p99StallMs: number;
}

/** One solve on the worker with the main thread's event-loop delay recorded around it. */
async function timedSolve(
  solver: PlacementSolver,
  problem: Parameters<PlacementSolver['solve']>[0],
  timeLimitSeconds: number,
  mipRelGap: number,
): Promise<TimedRun> {
  gc();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const t0 = performance.now();
  const result = await solver.solve(problem, { timeLimitSeconds, mipRelGap });
  const wallS = (performance.now() - t0) / 1000;
  delay.disable();
  return { result, wallS, maxStallMs: delay.max / 1e6, p99StallMs: delay.percentile(99) / 1e6 };
}

async function main(): Promise<void> {
  const dataDir = new URL(`file://${args.data.endsWith('/') ? args.data : `${args.data}/`}`);
  const seed = Number(args.seed);
  const timeLimit = Number(args['time-limit']);
  const data = loadBenchData(dataDir);
  const bench = benchProblem(data, seed, Number(args.pods));
  const { problem } = bench;
  log(
    `${bench.pods} pods (${bench.deployments} deployments, ${problem.shapes.length} shapes) × ${problem.pools.length} pools; prices at ${bench.priceAt}`,
  );

  const solver = new PlacementSolver();
  try {
    let t = performance.now();
    await solver.start();
    const workerStartS = (performance.now() - t) / 1000;
    // The first solve in a fresh worker pays for JIT compilation; the hub's worker lives on, so warm it on another problem.
    t = performance.now();
    await solver.solve(benchProblem(data, seed + 1000, Number(args.pods)).problem, { timeLimitSeconds: 3 });
    const warmupS = (performance.now() - t) / 1000;
    log(`worker started in ${round(workerStartS)} s, warm-up solve ${round(warmupS)} s`);

    const runs: TimedRun[] = [];
    for (let i = 0; i < Number(args.runs); i++) {
      const run = await timedSolve(solver, problem, timeLimit, 0.01);
      runs.push(run);
      const r = run.result;
      log(
        `run ${i + 1}: ${r.status} (${r.source}) ${r.plan?.expectedCostPerHour} USD/h, gap ${r.gap === null ? '-' : round(r.gap * 100, 2)}%, ${round(run.wallS)} s, max stall ${round(run.maxStallMs, 1)} ms`,
      );
    }

    log(`reference run (${args['reference-time-limit']} s, gap 0)…`);
    const reference = await timedSolve(solver, problem, Number(args['reference-time-limit']), 0);
    const best = Math.min(...[reference, ...runs].map((r) => r.result.plan?.expectedCostPerHour ?? Number.POSITIVE_INFINITY));
    const bestBound = Math.max(...[reference, ...runs].map((r) => r.result.bound ?? Number.NEGATIVE_INFINITY));
    log(`best known ${best} USD/h, proven within ${round(((best - bestBound) / best) * 100, 2)}% (bound ${round(bestBound, 4)})`);

    // When each timed run first held a plan within 1% of the best known one (solve() call to that plan).
    const timeTo1pct = runs.map((run) => {
      const overheadS = Math.max(0, run.wallS - run.result.timings.totalMs / 1000);
      const hit = run.result.incumbents.find((inc) => inc.expectedCostPerHour <= best * 1.01 + 1e-9);
      return hit ? round(hit.timeS + overheadS) : null;
    });
    const provenAt = runs.map((run) => (run.result.gap !== null && run.result.gap <= 0.01 ? round(run.wallS) : null));
    const mid = runs.slice().sort((a, b) => a.wallS - b.wallS)[Math.floor(runs.length / 2)] as TimedRun;
    const hits = timeTo1pct.filter((x): x is number => x !== null);
    // The headline is the benchmark's solves. They may end before HiGHS' MILP starts (when
    // LP rounding is already proven within 1%), so the reference run, which keeps HiGHS
    // busy for its whole time limit, is reported beside it.
    const maxStall = Math.max(...runs.map((r) => r.maxStallMs));
    const plan = mid.result.plan;

    const result = {
      pods: bench.pods,
      pools: problem.pools.length,
      time_to_1pct_s: hits.length === runs.length ? median(hits) : null,
      gap: mid.result.gap === null ? null : round(mid.result.gap, 5),
      cost_ratio_vs_ffd: plan ? round(plan.expectedCostPerHour / mid.result.ffd.expectedCostPerHour, 4) : null,
      max_event_loop_stall_ms: round(maxStall, 1),
      targets: { time_to_1pct_s: 2, max_event_loop_stall_ms: 20 },
      met: { time_to_1pct_s: hits.length === runs.length && median(hits) <= 2, max_event_loop_stall_ms: maxStall <= 20 },
      shapes: problem.shapes.length,
      deployments: bench.deployments,
      time_limit_s: timeLimit,
      time_to_1pct_s_runs: timeTo1pct,
      time_to_proven_1pct_s_runs: provenAt,
      event_loop_delay_p99_ms: round(Math.max(...runs.map((r) => r.p99StallMs)), 2),
      max_event_loop_stall_ms_reference_run: round(reference.maxStallMs, 1),
      event_loop_delay_p99_ms_reference_run: round(reference.p99StallMs, 2),
      status: mid.result.status,
      source: mid.result.source,
      solver_status: mid.result.solverStatus,
      cost_usd_per_hour: plan?.expectedCostPerHour ?? null,
      price_usd_per_hour: plan?.pricePerHour ?? null,
      nodes: plan?.nodeCount ?? null,
      bound_usd_per_hour: mid.result.bound === null ? null : round(mid.result.bound, 4),
      ffd_cost_usd_per_hour: round(mid.result.ffd.expectedCostPerHour, 4),
      ffd_nodes: mid.result.ffd.nodeCount,
      model: mid.result.model,
      timings_ms: Object.fromEntries(Object.entries(mid.result.timings).map(([k, v]) => [k, round(v, 1)])),
      notes: mid.result.notes,
      reference: {
        time_limit_s: Number(args['reference-time-limit']),
        best_known_usd_per_hour: best,
        bound_usd_per_hour: round(bestBound, 4),
        gap: round((best - bestBound) / best, 5),
        status: reference.result.status,
        wall_s: round(reference.wallS, 1),
      },
      worker_start_s: round(workerStartS),
      warmup_solve_s: round(warmupS),
      inputs: {
        prices: 'spot_price_history.csv, source instmgr2024 (latest price per pool)',
        price_at: bench.priceAt,
        advisor_snapshot: bench.advisorSnapshot,
        interruption_cost_usd: INTERRUPTION_COST_USD,
        seed,
      },
      cpu_cores: cpus().length,
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await solver.shutdown();
  }
}

await main();
process.exit(0);
