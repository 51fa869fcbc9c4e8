import highsModule, { type Highs, type HighsCallbackMap } from 'highs';

type Loader = (typeof highsModule)['default'];
/**
 * The package's types describe its CommonJS build (whose module object has a `default`),
 * while Node resolves the ESM build, whose default export is the loader itself.
 */
const loadHighs: Loader = typeof highsModule === 'function' ? (highsModule as Loader) : highsModule.default;

let loading: Promise<Highs> | undefined;

/** The HiGHS WebAssembly runtime, loaded once per thread (~70 ms). */
export function getHighs(): Promise<Highs> {
  loading ??= loadHighs();
  return loading;
}

export interface HighsRunInput {
  /** The model in CPLEX LP format. */
  text: string;
  /** Column names whose values the caller wants back. */
  columns: string[];
  /** A MIP start (column name → value) and its objective; HiGHS checks it and keeps it as incumbent if feasible. */
  start?: { values: Map<string, number>; objective: number };
  timeLimitSeconds: number;
  mipRelGap: number;
  log?: (line: string) => void;
  /** Asked at HiGHS' interrupt checkpoints; true stops the solve (status `interrupted`). */
  stopWhen?: () => boolean;
  /** Every new incumbent: HiGHS run time (s), its objective, the bound then, and the values of `columns`. */
  onIncumbent?: (runTimeS: number, objective: number, bound: number, values: Float64Array) => void;
}

export interface HighsRunOutput {
  /** The key of highs.constants.modelStatus (optimal, timeLimit, infeasible, interrupted, …). */
  status: string;
  /** Values of `columns` in the final incumbent, or null when there is none. */
  values: Float64Array | null;
  objective: number | null;
  /** Proven lower bound (−Infinity when HiGHS has none). */
  bound: number;
  runTimeS: number;
  /** null when no start was given. */
  startAccepted: boolean | null;
}

/**
 * Solves one MILP with HiGHS. Blocks the calling thread for up to the time limit: call it
 * only from the solver worker (or from tests). Throws only when HiGHS itself fails (bad
 * LP text, a native error); limits, infeasibility and the like come back in `status`.
 */
export function runHighs(highs: Highs, input: HighsRunInput): HighsRunOutput {
  const model = highs.createModel({ format: 'lp', data: input.text });
  try {
    model.options.set({
      output_flag: input.log !== undefined,
      time_limit: input.timeLimitSeconds,
      mip_rel_gap: input.mipRelGap,
    });
    const index = Int32Array.from(input.columns, (name) => model.getColByName(name));
    const pick = (all: ArrayLike<number>) => Float64Array.from(index, (i) => all[i] as number);
    if (input.start) {
      const entries = [...input.start.values];
      model.setSolution({ indices: entries.map(([name]) => model.getColByName(name)), values: entries.map(([, v]) => v) });
    }
    let firstIncumbent: number | null = null;
    const cb = highs.constants.callbackType;
    const callbacks: HighsCallbackMap = {
      [cb.mipImprovingSolution]: (event) => {
        const d = event.data;
        const objective = d.objective_function_value ?? Number.NaN;
        firstIncumbent ??= objective;
        if (input.onIncumbent && d.mip_solution)
          input.onIncumbent(d.running_time ?? 0, objective, d.mip_dual_bound ?? Number.NEGATIVE_INFINITY, pick(d.mip_solution));
        return undefined;
      },
      ...(input.stopWhen
        ? {
            [cb.mipInterrupt]: (event) => {
              if (input.stopWhen?.()) event.interrupt();
              return undefined;
            },
          }
        : {}),
      ...(input.log
        ? {
            [cb.logging]: (event) => {
              input.log?.(event.message.trimEnd());
              return undefined;
            },
          }
        : {}),
    };
    const run = model.run(callbacks);
    const status = statusName(highs, run.modelStatus);
    const feasible = Number(model.info.get('primal_solution_status')) === 2;
    const values = feasible ? pick(model.getSolution().colValue) : null;
    const objective = feasible ? model.getObjectiveValue() : null;
    const bound = safeInfo(model, 'mip_dual_bound');
    // HiGHS reports no verdict on a start through the API; an accepted start is its first incumbent.
    const start = input.start?.objective;
    const first: number | null = firstIncumbent;
    return {
      status,
      values,
      objective,
      bound,
      runTimeS: model.getRunTime(),
      startAccepted: start === undefined ? null : first !== null && Math.abs(first - start) <= 1e-6 * Math.max(1, Math.abs(start)),
    };
  } finally {
    model.dispose();
  }
}

function safeInfo(model: { info: { get(name: string): number | bigint } }, name: string): number {
  try {
    const v = Number(model.info.get(name));
    return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

function statusName(highs: Highs, code: number): string {
  for (const [name, value] of Object.entries(highs.constants.modelStatus)) if (value === code) return name;
  return `status ${code}`;
}
