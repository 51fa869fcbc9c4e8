import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round, type SeedResult, type StrategyResult } from '../run-replay.ts';
import { type Acceptance, acceptanceOf, acceptanceOverSeeds, markdownReport, summaryMarkdown } from './markdown.ts';
import type { ReportInput } from './report-input.ts';
import { runChart } from './svg-chart.ts';

export type { ReportInput } from './report-input.ts';

/** The fields every strategy reports, averaged over seeds for the summary. */
const MEAN_FIELDS = [
  'cost_usd',
  'on_demand_equivalent_usd',
  'savings_pct',
  'savings_vs_on_demand_strategy_pct',
  'interruptions',
  'pods_disrupted',
  'pods_lost',
  'pending_pod_hours',
  'pdb_violations',
  'switches',
] as const;

/**
 * Writes `<name>.json|.md|.svg` for one seed, or `<name>-seed<N>.*` per seed plus a
 * `<name>.json|.md` summary (means over the seeds, each seed's table and acceptance) for
 * several. Returns the paths written.
 */
export function writeResults(outDir: string, name: string, input: ReportInput): string[] {
  const files: string[] = [];
  const multi = input.results.length > 1;
  const write = (file: string, text: string) => {
    const path = join(outDir, file);
    writeFileSync(path, text);
    files.push(path);
  };
  const acceptance: Record<string, Acceptance | null> = {};
  for (const r of input.results) {
    const base = multi ? `${name}-seed${r.seed}` : name;
    const acc = acceptanceOf(r.strategies);
    acceptance[String(r.seed)] = acc;
    const title = `${input.workload}, seed ${r.seed}, ${input.from} → ${input.to}`;
    write(`${base}.svg`, runChart(title, input.from, r.daily));
    write(
      `${base}.json`,
      `${JSON.stringify(
        {
          name: base,
          workload: input.workload,
          from: input.from,
          to: input.to,
          seed: r.seed,
          data: { prices: input.prices, advisor_snapshot: input.advisorSnapshot, spot_pools: input.spotPools, zones: input.zones },
          strategies: r.strategies,
          acceptance: acc,
          daily: r.daily,
        },
        null,
        2,
      )}\n`,
    );
    write(`${base}.md`, markdownReport(base, input, r, acc));
  }
  if (multi) {
    const strategies = meanOver(input.results);
    write(
      `${name}.json`,
      `${JSON.stringify(
        {
          name,
          workload: input.workload,
          from: input.from,
          to: input.to,
          seeds: input.results.map((r) => r.seed),
          data: { prices: input.prices, advisor_snapshot: input.advisorSnapshot, spot_pools: input.spotPools, zones: input.zones },
          note: 'strategies: mean over the seeds; per_seed: each seed as run (its chart and details in <name>-seed<N>.*)',
          strategies,
          per_seed: Object.fromEntries(input.results.map((r) => [String(r.seed), stripDetails(r.strategies)])),
          acceptance,
          acceptance_over_seeds: acceptanceOverSeeds(input.results),
          runtime_s: round(input.runtimeS, 0),
        },
        null,
        2,
      )}\n`,
    );
    write(`${name}.md`, summaryMarkdown(name, input, strategies, acceptance));
  }
  return files;
}

function stripDetails(s: Record<string, StrategyResult>): Record<string, StrategyResult> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { ...v, details: undefined }]));
}

function meanOver(results: SeedResult[]): Record<string, Partial<StrategyResult>> {
  const names = Object.keys(results[0]?.strategies ?? {});
  const out: Record<string, Partial<StrategyResult>> = {};
  for (const n of names) {
    const row: Record<string, number | null> = {};
    for (const f of MEAN_FIELDS) {
      const xs = results.map((r) => r.strategies[n]?.[f]).filter((v): v is number => typeof v === 'number');
      row[f] = xs.length === 0 ? null : round(xs.reduce((a, b) => a + b, 0) / xs.length, 2);
    }
    out[n] = row as Partial<StrategyResult>;
  }
  return out;
}
