/** What the solver returns: a plan (nodes per pool, pods per shape and pool) and how it was found. */

export interface Assignment {
  shapeId: string;
  poolId: string;
  pods: number;
}

/** `count` nodes of a pool laid out alike: the pods of each shape one such node holds. */
export interface NodeLayout {
  poolId: string;
  count: number;
  /** Shape id → pods on one node; empty for a spare node (kept for a share rule or the disruption budget). */
  pods: Record<string, number>;
}

export interface PlacementPlan {
  /** Nodes per pool id; pools without nodes are left out. */
  nodes: Record<string, number>;
  /** Pods of each shape per pool; zero entries are left out. */
  assignments: Assignment[];
  /** How the pods pack node by node (the proof the plan is schedulable), identical nodes grouped. */
  layouts: NodeLayout[];
  nodeCount: number;
  /** Σ nodes × expected cost per hour: the objective. */
  expectedCostPerHour: number;
  /** Σ nodes × price per hour. */
  pricePerHour: number;
  /** Nodes removed from the current fleet (0 without a disruption constraint). */
  replacements: number;
}

export interface SolveOptions {
  /** HiGHS stops after this long; the best plan found by then is returned. Default 10 s. */
  timeLimitSeconds?: number;
  /** Stop once the plan is proven within this relative gap of the lower bound. Default 0.01 (1%). */
  mipRelGap?: number;
  /** Seed HiGHS with the best heuristic plan. Default true. */
  warmStart?: boolean;
  /** Forward HiGHS log lines (for debugging). */
  log?: (line: string) => void;
}

/**
 * Why the result is what it is:
 * - `optimal`: the plan is within `mipRelGap` of the proven lower bound (`gap` says how
 *   close), or HiGHS proved it so over the node patterns it was given;
 * - `time-limit`: HiGHS stopped at the time limit; the plan is the best found (see `gap`);
 * - `fallback`: HiGHS gave no plan (time limit without an incumbent, or a failure): the
 *   heuristic plan (LP rounding or first-fit-decreasing) is returned;
 * - `infeasible`: no plan satisfies the constraints (proven by HiGHS, a shape that fits no
 *   pool, or HiGHS failed and no heuristic plan is valid); `plan` is null.
 */
export type SolveStatus = 'optimal' | 'time-limit' | 'fallback' | 'infeasible';

/** A new best plan during the solve; times are seconds since solve() started. */
export interface Incumbent {
  timeS: number;
  expectedCostPerHour: number;
  /** The proven lower bound at that moment (−∞ before there is one). */
  bound: number;
}

export interface SolveResult {
  status: SolveStatus;
  /** The cheapest plan found that satisfies every constraint; null when there is none. */
  plan: PlacementPlan | null;
  /** Which method produced `plan`: the MILP, the LP-rounding heuristic, or first-fit-decreasing. */
  source: 'milp' | 'lp-rounding' | 'ffd' | null;
  /** The MILP's HiGHS model status (optimal, timeLimit, interrupted, infeasible, …), or why it did not run. */
  solverStatus: string;
  /** Proven lower bound on the expected cost of any plan; null when unknown. */
  bound: number | null;
  /** (plan cost − bound) / plan cost; null when there is no plan or no bound. */
  gap: number | null;
  /** The first-fit-decreasing plan (the reference a Karpenter-like provisioner gets): cost, nodes, the rules it breaks. */
  ffd: { expectedCostPerHour: number; nodeCount: number; violations: string[] };
  /** Whether HiGHS took the best heuristic plan as its first incumbent ('off' when HiGHS did not run or was told not to). */
  warmStart: 'accepted' | 'rejected' | 'not-feasible' | 'off';
  /** Each new best valid plan, from any method, in order. */
  incumbents: Incumbent[];
  /** Size of the MILP HiGHS solved (zeros when it did not run). */
  model: { columns: number; rows: number; integerColumns: number };
  /** Where the time went: first-fit-decreasing, column generation with LP rounding, the MILP runs. */
  timings: { totalMs: number; ffdMs: number; lpMs: number; milpMs: number };
  /** Notes for the decision record: column generation, LP rounding, HiGHS errors, broken FFD rules. */
  notes: string[];
}
