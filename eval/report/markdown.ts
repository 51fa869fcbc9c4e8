import { DEFAULT_POLICIES, type FunnelCounts } from '../../hub/src/decisions/index.ts';
import type { SeedResult, StrategyResult } from '../run-replay.ts';
import type { ReportInput } from './report-input.ts';

/** The issue's acceptance for one seed: Ballast against price-capacity-optimized and on-demand. */
export interface Acceptance {
  cost_le_pco: boolean;
  interruptions_le_0_6x_pco: boolean;
  zero_pods_lost: boolean;
  zero_pdb_violations: boolean;
  savings_ge_70pct: boolean;
  /** Savings against the all-on-demand strategy's bill, for reference (not the product's definition). */
  savings_vs_on_demand_strategy_ge_70pct: boolean | null;
  all: boolean;
}

export function acceptanceOf(s: Record<string, StrategyResult>): Acceptance | null {
  const b = s.ballast;
  const pco = s['price-capacity-optimized'];
  if (!b || !pco) return null;
  const vsOd = b.savings_vs_on_demand_strategy_pct;
  const a = {
    cost_le_pco: b.cost_usd <= pco.cost_usd,
    interruptions_le_0_6x_pco: b.interruptions <= 0.6 * pco.interruptions,
    zero_pods_lost: b.pods_lost === 0,
    zero_pdb_violations: b.pdb_violations === 0,
    savings_ge_70pct: b.savings_pct >= 70,
    savings_vs_on_demand_strategy_ge_70pct: vsOd === null ? null : vsOd >= 70,
  };
  return {
    ...a,
    all: a.cost_le_pco && a.interruptions_le_0_6x_pco && a.zero_pods_lost && a.zero_pdb_violations && a.savings_ge_70pct,
  };
}

const HEADER =
  '| strategy | total cost (USD) | savings vs on-demand (same instances) | vs all-on-demand bill | interruptions | pods disrupted | pods lost | pod-hours pending | PDB violations | switches |\n' +
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';

function row(name: string, r: Partial<StrategyResult>): string {
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(1)}%`);
  const num = (v: number | null | undefined, d = 0) => (v === null || v === undefined ? '–' : v.toFixed(d));
  return `| ${name} | ${num(r.cost_usd, 2)} | ${pct(r.savings_pct)} | ${pct(r.savings_vs_on_demand_strategy_pct)} | ${num(r.interruptions, Number.isInteger(r.interruptions) ? 0 : 2)} | ${num(r.pods_disrupted, Number.isInteger(r.pods_disrupted) ? 0 : 1)} | ${num(r.pods_lost, Number.isInteger(r.pods_lost) ? 0 : 2)} | ${num(r.pending_pod_hours, 2)} | ${num(r.pdb_violations, Number.isInteger(r.pdb_violations) ? 0 : 2)} | ${num(r.switches, Number.isInteger(r.switches) ? 0 : 1)} |`;
}

function table(strategies: Record<string, Partial<StrategyResult>>): string {
  return [HEADER, ...Object.entries(strategies).map(([n, r]) => row(n, r))].join('\n');
}

function acceptanceLines(a: Acceptance | null): string {
  if (!a) return '_Acceptance needs the ballast and price-capacity-optimized strategies._';
  const mark = (ok: boolean | null) => (ok === null ? '–' : ok ? 'yes' : '**no**');
  return [
    `- Ballast cost ≤ price-capacity-optimized: ${mark(a.cost_le_pco)}`,
    `- Ballast interruptions ≤ 0.6 × price-capacity-optimized: ${mark(a.interruptions_le_0_6x_pco)}`,
    `- zero pods lost: ${mark(a.zero_pods_lost)}; zero PDB violations: ${mark(a.zero_pdb_violations)}`,
    `- savings vs on-demand ≥ 70% (on-demand price of the same instances): ${mark(a.savings_ge_70pct)}; against the all-on-demand strategy's bill: ${mark(a.savings_vs_on_demand_strategy_ge_70pct)}`,
  ].join('\n');
}

/**
 * The acceptance read over all seeds: the counts summed (interruptions are a handful of
 * draws per seed, so one seed's ratio is mostly chance), the rest held on every seed.
 */
export interface SeedsAcceptance {
  seeds: number;
  cost_le_pco_every_seed: boolean;
  interruptions_ballast: number;
  interruptions_pco: number;
  interruptions_le_0_6x_pco_total: boolean;
  zero_pods_lost_every_seed: boolean;
  zero_pdb_violations_every_seed: boolean;
  min_savings_pct: number;
  savings_ge_70pct_every_seed: boolean;
  all: boolean;
}

export function acceptanceOverSeeds(results: ReadonlyArray<{ strategies: Record<string, StrategyResult> }>): SeedsAcceptance | null {
  const pairs = results.map((r) => ({ b: r.strategies.ballast, pco: r.strategies['price-capacity-optimized'] }));
  if (pairs.length === 0 || pairs.some((p) => !p.b || !p.pco)) return null;
  const ps = pairs as Array<{ b: StrategyResult; pco: StrategyResult }>;
  const ib = ps.reduce((n, p) => n + p.b.interruptions, 0);
  const ip = ps.reduce((n, p) => n + p.pco.interruptions, 0);
  const minSavings = Math.min(...ps.map((p) => p.b.savings_pct));
  const a = {
    seeds: ps.length,
    cost_le_pco_every_seed: ps.every((p) => p.b.cost_usd <= p.pco.cost_usd),
    interruptions_ballast: ib,
    interruptions_pco: ip,
    interruptions_le_0_6x_pco_total: ib <= 0.6 * ip,
    zero_pods_lost_every_seed: ps.every((p) => p.b.pods_lost === 0),
    zero_pdb_violations_every_seed: ps.every((p) => p.b.pdb_violations === 0),
    min_savings_pct: minSavings,
    savings_ge_70pct_every_seed: minSavings >= 70,
  };
  return {
    ...a,
    all:
      a.cost_le_pco_every_seed &&
      a.interruptions_le_0_6x_pco_total &&
      a.zero_pods_lost_every_seed &&
      a.zero_pdb_violations_every_seed &&
      a.savings_ge_70pct_every_seed,
  };
}

function seedsAcceptanceLines(a: SeedsAcceptance | null): string {
  if (!a) return '- (needs ballast and price-capacity-optimized on every seed)';
  const mark = (ok: boolean) => (ok ? 'yes' : '**no**');
  return [
    `- Ballast cost ≤ price-capacity-optimized on every seed: ${mark(a.cost_le_pco_every_seed)}`,
    `- interruptions over the ${a.seeds} seeds: Ballast ${a.interruptions_ballast}, price-capacity-optimized ${a.interruptions_pco} (≤ 0.6×: ${mark(a.interruptions_le_0_6x_pco_total)})`,
    `- zero pods lost on every seed: ${mark(a.zero_pods_lost_every_seed)}; zero PDB violations: ${mark(a.zero_pdb_violations_every_seed)}`,
    `- savings vs on-demand (same instances) ≥ 70% on every seed: ${mark(a.savings_ge_70pct_every_seed)} (lowest ${a.min_savings_pct.toFixed(1)}%)`,
  ].join('\n');
}

const MODEL_NOTES = `## How to read this
- Every strategy runs alone over the same replayed market: recorded spot prices (a pool's price is what its running
  instances are billed), the simulator's seeded pool capacities, and its interruption engine, whose draw for a
  (pool, slot, minute) is the same for all strategies of a seed. The interruption hazard (the Spot Advisor bucket's
  rate, raised by price spikes and by pools near full) stays inside the simulator: Ballast sees prices, the advisor
  bucket and the notices, rebalance recommendations and failed launches of its own fleet.
- On an interruption notice every strategy's node agent drains the node at once (evictions respect PDBs); the
  instance goes two minutes later. A pod still on a node when it goes is **lost**. Evictions and node losses count
  as **pods disrupted**. A **PDB violation** is a voluntary action leaving more pods of a workload unavailable than
  its budget allows. **Pod-hours pending** integrate pods waiting for a node. **Switches** are voluntary
  replacements of running nodes (launch, drain, terminate).
- **Savings** follow the product's definition: the on-demand price of the same instances over the same hours, less
  what was paid. The next column compares the bill with the all-on-demand strategy's on the same workload.
- *ballast* runs the hub's scoring (default model), its placement solver (HiGHS on its worker thread; re-solved every
  12 h, when demand moves by half or a planned pool turns risky, and scaled to demand in between) and the decision
  engine with its default policies (in the JSON under \`details.policies\`): $100 per interruption in the expected
  cost, pools ranked at that cost × (1 − ${DEFAULT_POLICIES.discountPreference} × their discount against their own
  on-demand price), at most 25% of the capacity in one spot pool, 5% spare pod slots for workloads with a PDB, spot
  nodes no larger than the PDB budget plus the spare slots, replacement on rebalance recommendations, 6 h of calm
  before going back to spot.
- Baselines: *on-demand* and *karpenter-like* provision first-fit-decreasing on the cheapest offerings (on-demand
  only, or spot with on-demand only when spot launches fail) and consolidate (delete, and spot-to-spot replace
  when ≥ 15 cheaper types exist); *lowest-price*, *capacity-optimized* and *price-capacity-optimized* are a
  zone-balanced spot Auto Scaling group of 4-vCPU types under the Cluster Autoscaler and NTH, allocating as AWS
  documents (AWS's view of capacity is the simulator's). None acts on rebalance recommendations.`;

export function markdownReport(base: string, input: ReportInput, r: SeedResult, a: Acceptance | null): string {
  const b = r.strategies.ballast?.details as
    | { funnel?: FunnelCounts; verified_by_kind?: Record<string, number>; solver?: unknown }
    | undefined;
  const funnel = b?.funnel
    ? `## Ballast decisions\nFunnel: ${Object.entries(b.funnel.reached)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ' → ',
        )}\n\nDropped: \`${JSON.stringify(b.funnel.dropped)}\`; failed: \`${JSON.stringify(b.funnel.failed)}\`\n\nVerified by kind: \`${JSON.stringify(b.verified_by_kind ?? {})}\`; solver: \`${JSON.stringify(b.solver ?? {})}\`\n`
    : '';
  return `# Replay: ${input.workload}, seed ${r.seed}

${input.from} → ${input.to}, prices \`${input.prices}\` (source luciana2021), Spot Advisor snapshot ${input.advisorSnapshot}, ${input.spotPools} spot pools in ${input.zones.join(', ')}.

${table(r.strategies)}

![cost and interruptions over time](${base}.svg)

## Acceptance
${acceptanceLines(a)}

${funnel}
${MODEL_NOTES}
`;
}

export function summaryMarkdown(
  name: string,
  input: ReportInput,
  mean: Record<string, Partial<StrategyResult>>,
  acceptance: Record<string, Acceptance | null>,
): string {
  const seeds = input.results
    .map(
      (r) =>
        `### Seed ${r.seed}\n\n${table(r.strategies)}\n\n![seed ${r.seed}](${name}-seed${r.seed}.svg)\n\n${acceptanceLines(acceptance[String(r.seed)] ?? null)}\n`,
    )
    .join('\n');
  return `# Replay: ${input.workload}, seeds ${input.results.map((r) => r.seed).join(', ')}

${input.from} → ${input.to}, prices \`${input.prices}\` (source luciana2021), Spot Advisor snapshot ${input.advisorSnapshot}, ${input.spotPools} spot pools in ${input.zones.join(', ')}. Whole run: ${input.runtimeS.toFixed(0)} s.

## Mean over the seeds

${table(mean)}

## Acceptance over the seeds
${seedsAcceptanceLines(acceptanceOverSeeds(input.results))}

## Per seed

${seeds}
${MODEL_NOTES}
`;
}
