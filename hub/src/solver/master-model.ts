import { LpWriter, type Term } from './lp-format.ts';
import type { Pattern } from './patterns.ts';
import type { Pool } from './placement-problem.ts';
import type { IndexPlan } from './plan-check.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * The placement MILP over node patterns, as CPLEX LP text. Variables:
 *   n{p}  nodes in pool p (integer; only pools that may hold nodes);
 *   y{j}  nodes laid out as pattern j (integer), on the pattern's pool;
 *   r{p}  nodes removed from pool p's current fleet (continuous; disruption budget only);
 *   z{a}  zone a holds a node (binary; min-zones only).
 * Minimise Σ expected cost × n subject to:
 *   d{s}  pods of shape s covered: Σ_j count_sj y_j ≥ count_s (surplus slots stay empty);
 *   l{p}  patterns on pool p fit its nodes: Σ_{j on p} y_j − n_p ≤ 0 (a spare node is empty);
 *   and the node-count rules: total T (tot), pool share caps (sh), on-demand floor and
 *   count (od, odn), zone share (zs), zones used (zu, zmin), disruption budget (rp, db).
 * With `integer: false` it is the LP relaxation column generation works on.
 */
export interface MasterModel {
  text: string;
  n: (string | null)[];
  y: string[];
  r: (string | null)[];
  z: (string | null)[];
  /** T, the total node count, when a share rule needs it. */
  total: string | null;
  /** LP only: u{s}, pods of shape s left uncovered at UNCOVERED_PENALTY each. */
  uncovered: string[];
  /** Objective coefficient per n column (rounded in the MILP, see COST_STEP). */
  objective: Map<string, number>;
  columns: number;
  rows: number;
  integerColumns: number;
}

/**
 * In the MILP, objective coefficients are rounded to 1e-4 USD/h: every objective value is
 * then a multiple of 1e-4, HiGHS notices ("objective function is integral with scale") and
 * rounds its bound up, which prunes more. Plan costs are computed from exact prices, and
 * the LP (whose value is the lower bound) keeps exact ones.
 */
export const COST_STEP = 1e-4;

/** An uncovered pod costs this many times the dearest node: more than any plan would pay to place it. */
const UNCOVERED_PENALTY = 1e4;

export function buildMaster(prep: PreparedProblem, patterns: readonly Pattern[], options: { integer: boolean }): MasterModel {
  const { pools, shapes } = prep;
  const n = pools.map((_, p) => ((prep.maxNodes[p] as number) > 0 ? `n${p}` : null));
  const y = patterns.map((_, j) => `y${j}`);
  const hasDisruption = Number.isFinite(prep.maxReplacements);
  const r = pools.map((_, p) => (hasDisruption && (prep.current[p] as number) > 0 && n[p] ? `r${p}` : null));
  const z = prep.zones.map((_, a) => (prep.minZones > 0 ? `z${a}` : null));
  const w = new LpWriter();

  const cover: Term[][] = shapes.map(() => []);
  const onPool: Term[][] = pools.map(() => []);
  patterns.forEach((pat, j) => {
    pat.shapes.forEach((s, i) => {
      (cover[s] as Term[]).push([pat.counts[i] as number, y[j] as string]);
    });
    (onPool[pat.pool] as Term[]).push([1, y[j] as string]);
  });
  shapes.forEach((shape, s) => {
    // In the LP, u{s} pods may stay uncovered at a prohibitive price: the LP over the first
    // few patterns stays feasible (so it has duals to price new patterns with) even when
    // only patterns not generated yet can place every pod.
    const terms = options.integer ? (cover[s] as Term[]) : [...(cover[s] as Term[]), [1, `u${s}`] as const];
    if (shape.count > 0) w.row(`d${s}`, terms, '>=', shape.count);
  });
  pools.forEach((_, p) => {
    const np = n[p];
    // Every pool that may hold pods gets its row, even without patterns yet: column generation adds to it.
    if (np && prep.shapes.some((_, s) => (prep.perNode[s]?.[p] ?? 0) > 0)) w.row(`l${p}`, [...(onPool[p] as Term[]), [-1, np]], '<=', 0);
  });
  // The total is only needed by share rules.
  const needsTotal = prep.onDemandFloor > 0 || prep.maxZoneShare < 1 || prep.shareCap.some((c, p) => c < 1 && n[p] !== null);
  const total = needsTotal ? 'T' : null;
  nodeCountRows(w, prep, n, r, z, total);

  n.forEach((v, p) => {
    const max = prep.maxNodes[p] as number;
    if (v && Number.isFinite(max)) w.upperBound(v, max);
  });
  r.forEach((v, p) => {
    if (v) w.upperBound(v, prep.current[p] as number);
  });
  const zs = z.filter((v): v is string => v !== null);
  if (!options.integer) for (const v of zs) w.upperBound(v, 1);
  const cost = (p: number) => (pools[p] as Pool).expectedCostPerHour;
  const objective: Term[] = n.flatMap((v, p) =>
    v ? [[options.integer ? Math.round(cost(p) / COST_STEP) * COST_STEP : cost(p), v] as const] : [],
  );
  const uncovered = options.integer ? [] : shapes.flatMap((shape, s) => (shape.count > 0 ? [`u${s}`] : []));
  const penalty = UNCOVERED_PENALTY * Math.max(1, ...pools.map((_, p) => cost(p)));
  for (const u of uncovered) objective.push([penalty, u]);
  const nCols = n.filter((v): v is string => v !== null);
  const generals = options.integer ? [...nCols, ...y, ...(total ? [total] : [])] : [];
  const binaries = options.integer ? zs : [];
  return {
    text: w.text(objective, generals, binaries),
    n,
    y,
    r,
    z,
    total,
    objective: new Map(objective.filter(([, v]) => v.startsWith('n')).map(([c, v]) => [v, c])),
    uncovered,
    columns: nCols.length + y.length + r.filter((v) => v !== null).length + zs.length + (total ? 1 : 0) + uncovered.length,
    rows: w.rowCount,
    integerColumns: generals.length + binaries.length,
  };
}

/**
 * The node-count rules, all linear in n (and r, z). Shares are taken of the total T, an
 * explicit column (T = Σ n): a cap is then n_p − cap·T ≤ 0, two entries instead of one per
 * pool, which keeps the LP sparse and the solver's cuts cheap.
 */
function nodeCountRows(
  w: LpWriter,
  prep: PreparedProblem,
  n: (string | null)[],
  r: (string | null)[],
  z: (string | null)[],
  total: string | null,
): void {
  const allN = n.flatMap((v, p) => (v ? [[v, p] as const] : []));
  const isOd = (p: number) => (prep.pools[p] as Pool).capacityType === 'on-demand';
  if (total) {
    w.row('tot', [...allN.map(([v]) => [1, v] as const), [-1, total]], '=', 0);
    for (const [v, p] of allN) {
      const cap = prep.shareCap[p] as number;
      if (cap < 1)
        w.row(
          `sh${p}`,
          [
            [1, v],
            [-cap, total],
          ],
          '<=',
          0,
        );
    }
    if (prep.onDemandFloor > 0)
      w.row('od', [...allN.filter(([, p]) => isOd(p)).map(([v]) => [1, v] as const), [-prep.onDemandFloor, total]], '>=', 0);
    if (prep.maxZoneShare < 1) {
      prep.zones.forEach((_, a) => {
        const inZone = allN.filter(([, p]) => prep.zoneOf[p] === a).map(([v]) => [1, v] as const);
        if (inZone.length > 0) w.row(`zs${a}`, [...inZone, [-prep.maxZoneShare, total]], '<=', 0);
      });
    }
  }
  if (prep.minOnDemandNodes > 0)
    w.row(
      'odn',
      allN.filter(([, p]) => isOd(p)).map(([v]) => [1, v] as const),
      '>=',
      prep.minOnDemandNodes,
    );
  if (prep.minZones > 0) {
    z.forEach((za, a) => {
      const inZone = allN.filter(([, p]) => prep.zoneOf[p] === a).map(([v]) => [-1, v] as const);
      w.row(`zu${a}`, [[1, za as string], ...inZone], '<=', 0);
    });
    w.row(
      'zmin',
      z.map((za) => [1, za as string] as const),
      '>=',
      prep.minZones,
    );
  }
  if (Number.isFinite(prep.maxReplacements)) {
    // A pool that can hold no nodes loses all of its current ones: a constant against the budget.
    let forced = 0;
    prep.pools.forEach((_, p) => {
      const c = prep.current[p] as number;
      const rp = r[p];
      if (c > 0 && rp)
        w.row(
          `rp${p}`,
          [
            [1, n[p] as string],
            [1, rp],
          ],
          '>=',
          c,
        );
      else forced += c;
    });
    const rs = r.flatMap((v) => (v ? [[1, v] as const] : []));
    if (rs.length > 0 || forced > prep.maxReplacements) w.row('db', rs, '<=', prep.maxReplacements - forced);
  }
}

/** Column values for a plan given as nodes with their pods (the warm start): y per pattern, n, r, z. */
export function masterStart(
  model: MasterModel,
  prep: PreparedProblem,
  plan: IndexPlan,
  patternIndex: (bin: NonNullable<IndexPlan['bins']>[number]) => number,
): Map<string, number> {
  const out = new Map<string, number>();
  const y = model.y.map(() => 0);
  for (const bin of plan.bins ?? []) {
    const j = patternIndex(bin);
    if (j >= 0) y[j] = (y[j] as number) + 1;
  }
  model.y.forEach((v, j) => {
    out.set(v, y[j] as number);
  });
  model.n.forEach((v, p) => {
    if (v) out.set(v, plan.nodes[p] as number);
  });
  if (model.total)
    out.set(
      model.total,
      plan.nodes.reduce((a, b) => a + b, 0),
    );
  model.r.forEach((v, p) => {
    if (v) out.set(v, Math.max(0, (prep.current[p] as number) - (plan.nodes[p] as number)));
  });
  model.z.forEach((v, a) => {
    if (v) out.set(v, plan.nodes.some((k, p) => k > 0 && prep.zoneOf[p] === a) ? 1 : 0);
  });
  return out;
}
