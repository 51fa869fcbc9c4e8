/** The placement solver: which pools to buy nodes from, and which pods go where. */
export type { Assignment, Incumbent, NodeLayout, PlacementPlan, SolveOptions, SolveResult, SolveStatus } from './placement-plan.ts';
export {
  ARCHES,
  type Arch,
  type CapacityType,
  type ForceOnDemandOverride,
  familyOf,
  type PlacementConstraints,
  type PlacementProblem,
  type PodShape,
  type Pool,
  poolId,
} from './placement-problem.ts';
export { PlacementSolver, type PlacementSolverOptions } from './placement-solver.ts';
export { type AggregateOptions, aggregatePods, NODE_LABELS, type PodSpec, type Toleration } from './pod-shapes.ts';
export { DEFAULT_MIP_REL_GAP, DEFAULT_TIME_LIMIT_S, solvePlacement } from './solve-placement.ts';
export { SolverError, type SolverErrorCode } from './solver-error.ts';
export { validateProblem } from './validate-problem.ts';
