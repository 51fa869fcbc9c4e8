/**
 * Replay evaluation: Ballast's decision engine and five baselines over the simulator's market
 * (recorded spot prices, seeded pool capacity and interruptions) and a cluster model, in
 * virtual time. Writes eval/results/<name>.json, .md and .svg (per seed, and a summary when
 * several seeds run).
 *
 *   npm run eval -- [--prices PATH] [--advisor PATH] [--catalog PATH] [--from 2021-03-02]
 *     [--to 2021-04-30] [--workload web-200|batch|stateful|mixed] [--seed N | --seeds 1,2,3]
 *     [--strategies ballast,on-demand,...] [--ballast-policies '{"maxPoolShare":0.2}'] [--name NAME]
 *     [--out eval/results]
 *
 * Defaults read the data in ../shared/data (relative to the repository) and run seeds 1, 2, 3.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_POLICIES } from '../hub/src/decisions/index.ts';
import { loadReplayData } from './data/replay-data.ts';
import { writeResults } from './report/write-results.ts';
import { type ReplayConfig, runSeed, STRATEGY_NAMES, type StrategyName } from './run-replay.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = resolve(repo, '../shared/data');

const { values: args } = parseArgs({
  options: {
    prices: { type: 'string', default: resolve(data, 'spot_price_history.csv') },
    advisor: { type: 'string', default: resolve(data, 'spot_advisor.csv') },
    catalog: { type: 'string', default: resolve(data, 'instance_types.csv') },
    from: { type: 'string', default: '2021-03-02' },
    to: { type: 'string', default: '2021-04-30' },
    workload: { type: 'string', default: 'web-200' },
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3' },
    strategies: { type: 'string', default: STRATEGY_NAMES.join(',') },
    source: { type: 'string', default: 'luciana2021' },
    families: { type: 'string', default: 'm4,m5,m5a,m5d,m5n,m5ad,m5dn,c4,c5,c5d,c5n,r4,r5,r5a,r5d,r5n,r5ad,r5dn' },
    sizes: { type: 'string', default: 'large,xlarge,2xlarge,4xlarge' },
    'ballast-policies': { type: 'string', default: '{}' },
    name: { type: 'string' },
    out: { type: 'string', default: resolve(repo, 'eval/results') },
  },
});

function fail(field: string, message: string): never {
  console.error(`eval: --${field}: ${message}`);
  process.exit(2);
}

/** A bare date in --to is inclusive (the window ends at the next midnight UTC); a timestamp is taken as is. */
function day(field: 'from' | 'to', text: string): number {
  const bare = !/T/.test(text);
  const ms = Date.parse(bare ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) fail(field, `not a date: ${text}`);
  return field === 'to' && bare ? ms + 86_400_000 : ms;
}

const fromMs = day('from', args.from);
const toMs = day('to', args.to);
if (toMs <= fromMs) fail('to', 'must be after --from');
const seeds = (args.seed ?? args.seeds).split(',').map((s) => Number(s.trim()));
if (seeds.some((s) => !Number.isInteger(s))) fail('seeds', 'must be whole numbers separated by commas');
const strategies = args.strategies.split(',').map((s) => s.trim()) as StrategyName[];
for (const s of strategies)
  if (!STRATEGY_NAMES.includes(s)) fail('strategies', `unknown strategy ${s} (known: ${STRATEGY_NAMES.join(', ')})`);
const name = args.name ?? args.workload;
let ballastPolicies: Record<string, unknown>;
try {
  ballastPolicies = JSON.parse(args['ballast-policies']);
} catch (e) {
  fail('ballast-policies', `not JSON: ${(e as Error).message}`);
}
for (const key of Object.keys(ballastPolicies)) {
  if (!(key in DEFAULT_POLICIES)) fail('ballast-policies', `unknown policy ${key} (known: ${Object.keys(DEFAULT_POLICIES).join(', ')})`);
}

const t0 = performance.now();
console.log(`eval: loading data (${args.prices})`);
const replayData = loadReplayData(
  { prices: args.prices, advisor: args.advisor, catalog: args.catalog },
  {
    fromMs,
    toMs,
    families: args.families.split(','),
    sizes: args.sizes.split(','),
    sourceId: args.source,
  },
);
console.log(
  `eval: ${replayData.spotPools.length} spot pools in ${replayData.zones.length} zones, advisor snapshot ${replayData.scope.advisorSnapshot}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

mkdirSync(args.out, { recursive: true });
const results = [];
for (const seed of seeds) {
  const cfg: ReplayConfig = {
    workload: args.workload,
    seed,
    fromMs,
    toMs,
    strategies,
    overhead: { cpuMillis: 200, memoryMib: 1024 },
    bootMs: 60_000,
    joinMs: 60_000,
    ballastPolicies,
  };
  const t = performance.now();
  console.log(`eval: seed ${seed}, ${args.workload}, ${args.from} → ${args.to}`);
  results.push(await runSeed(replayData, cfg, (line) => console.log(line)));
  console.log(`eval: seed ${seed} done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}
const files = writeResults(args.out, name, {
  workload: args.workload,
  from: args.from,
  to: args.to,
  prices: args.prices,
  advisorSnapshot: replayData.scope.advisorSnapshot ?? '',
  spotPools: replayData.spotPools.length,
  zones: replayData.zones,
  results,
  runtimeS: (performance.now() - t0) / 1000,
});
console.log(`eval: wrote ${files.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
