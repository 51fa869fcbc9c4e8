import type { Highs, Model } from 'highs';
import { buildMaster } from './master-model.ts';
import type { Pattern, PatternSet } from './patterns.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/** One optimal solution of the master LP. */
export interface LpSolution {
  objective: number;
  /** Row duals (by row index; see dRow/lRow). */
  dual: Float64Array;
  /** Nodes per pattern (index into the pattern list) and per pool. */
  y: number[];
  /** Reduced cost per pattern: a plan using pattern j costs at least objective + its reduced cost. */
  yReducedCost: number[];
  n: number[];
  /** Zone-used values (min-zones rule only) and the node total (share rules only). */
  z: number[];
  total: number | null;
  /** Pods left uncovered (the LP's feasibility slack); > 0 means no plan of the current patterns places them all. */
  uncovered: number;
}

/**
 * The LP relaxation of the pattern master, kept alive in one HiGHS model so that column
 * generation re-solves it warm (from the last basis) after adding patterns instead of
 * rebuilding it. Patterns added here are also added to the shared PatternSet, keeping
 * list index j = the model's y column j. Call dispose() when done (HiGHS memory is not
 * garbage-collected).
 */
export class MasterLp {
  /** Row of each shape's demand row (−1 when the shape has no pods). */
  readonly dRow: number[];
  /** Row of each pool's node row (−1 when the pool cannot hold pods). */
  readonly lRow: number[];
  status = '';
  private readonly model: Model;
  private readonly yCol: number[];
  private readonly nCol: number[];
  private readonly zCol: number[];
  private readonly totalCol: number;
  private readonly uCol: number[];

  constructor(
    private readonly highs: Highs,
    prep: PreparedProblem,
    readonly patterns: PatternSet,
  ) {
    const master = buildMaster(prep, patterns.list, { integer: false });
    this.model = highs.createModel({ format: 'lp', data: master.text });
    this.model.options.set({ output_flag: false });
    const col = (name: string | null) => (name ? this.model.getColByName(name) : -1);
    this.dRow = prep.shapes.map((shape, s) => (shape.count > 0 ? this.model.getRowByName(`d${s}`) : -1));
    this.lRow = prep.pools.map((_, p) => this.rowOrMissing(`l${p}`));
    this.yCol = master.y.map(col);
    this.nCol = master.n.map(col);
    this.zCol = master.z.map(col);
    this.totalCol = col(master.total);
    this.uCol = master.uncovered.map(col);
  }

  /** Solves (warm); returns the solution, or null when the LP is not optimal (see `status`). */
  solve(): LpSolution | null {
    const run = this.model.run();
    this.status =
      Object.entries(this.highs.constants.modelStatus).find(([, v]) => v === run.modelStatus)?.[0] ?? `status ${run.modelStatus}`;
    if (run.modelStatus !== this.highs.constants.modelStatus.optimal) return null;
    const s = this.model.getSolution();
    const at = (c: number) => (c >= 0 ? (s.colValue[c] as number) : 0);
    return {
      objective: this.model.getObjectiveValue(),
      dual: s.rowDual,
      y: this.yCol.map(at),
      yReducedCost: this.yCol.map((c) => s.colDual[c] as number),
      n: this.nCol.map(at),
      z: this.zCol.map(at),
      total: this.totalCol >= 0 ? at(this.totalCol) : null,
      uncovered: this.uCol.reduce((t, c) => t + at(c), 0),
    };
  }

  /** Adds a pattern column (and to the pattern set); false when it was already there. */
  addPattern(pat: Pattern): boolean {
    if (!this.patterns.add(pat)) return false;
    this.yCol.push(this.model.getDimensions().numCols);
    const entries = pat.shapes.flatMap((s, i) =>
      (this.dRow[s] as number) >= 0 ? [[this.dRow[s] as number, pat.counts[i] as number] as const] : [],
    );
    entries.push([this.lRow[pat.pool] as number, 1]);
    this.model.addCol(0, 0, Number.POSITIVE_INFINITY, { indices: entries.map(([r]) => r), values: entries.map(([, v]) => v) });
    return true;
  }

  dispose(): void {
    this.model.dispose();
  }

  private rowOrMissing(name: string): number {
    try {
      return this.model.getRowByName(name);
    } catch {
      return -1;
    }
  }
}
