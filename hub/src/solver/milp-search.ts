import type { Highs } from 'highs';
import type { Bin } from './bin-packing.ts';
import { type HighsRunOutput, runHighs } from './highs-run.ts';
import { buildMaster, type MasterModel, masterStart } from './master-model.ts';
import { patternPlan } from './pattern-plan.ts';
import type { PatternSet } from './patterns.ts';
import type { IndexPlan } from './plan-check.ts';
import type { PreparedProblem } from './prepare-problem.ts';

export type PackedPlan = IndexPlan & { bins: Bin[] };

export interface MilpSearchOptions {
  timeLimitSeconds: number;
  /** HiGHS stops at this gap to its own bound (which only covers the patterns it was given). */
  gapTarget: number;
  /** Asked at HiGHS' checkpoints: true stops the run (the caller's best plan is good enough). */
  goodEnough: () => boolean;
  /** The warm start, or null. */
  start: PackedPlan | null;
  log: ((line: string) => void) | undefined;
  /** Every incumbent HiGHS finds, as a plan with its packing. */
  onPlan: (plan: PackedPlan) => void;
}

/**
 * One HiGHS run of the pattern MILP over the patterns generated so far: warm-started from
 * `start` (whose node patterns are added to the set first, so it is expressible), reporting
 * each incumbent as a plan (with its exact cost, which the caller compares with the
 * proven bound), and interrupted once `goodEnough()` says so. Returns HiGHS' outcome and
 * the model it solved (for its size).
 */
export function searchMilp(
  highs: Highs,
  prep: PreparedProblem,
  patterns: PatternSet,
  o: MilpSearchOptions,
): { run: HighsRunOutput; model: MasterModel } {
  if (o.start) patterns.addBins(o.start.bins);
  const model = buildMaster(prep, patterns.list, { integer: true });
  const nCols = model.n.filter((v) => v !== null).length;
  const columns = [...model.n.filter((v): v is string => v !== null), ...model.y];
  const toPlan = (values: Float64Array): PackedPlan => {
    let i = 0;
    const nodes = model.n.map((v) => (v ? Math.max(0, Math.round(values[i++] as number)) : 0));
    return patternPlan(prep, patterns.list, nodes, Array.from(values.subarray(nCols))) as PackedPlan;
  };
  const start = o.start ? masterStart(model, prep, o.start, (bin) => patterns.indexOfBin(bin)) : undefined;
  const startObjective = start ? [...model.objective].reduce((t, [name, c]) => t + c * (start.get(name) ?? 0), 0) : 0;
  const run = runHighs(highs, {
    text: model.text,
    columns,
    ...(start ? { start: { values: start, objective: startObjective } } : {}),
    timeLimitSeconds: o.timeLimitSeconds,
    mipRelGap: o.gapTarget,
    ...(o.log ? { log: o.log } : {}),
    stopWhen: o.goodEnough,
    onIncumbent: (_runTimeS, _objective, _bound, values) => o.onPlan(toPlan(values)),
  });
  if (run.values) o.onPlan(toPlan(run.values));
  return { run, model };
}
