import { Worker } from 'node:worker_threads';
import { fallbackResult } from './fallback-result.ts';
import type { SolveOptions, SolveResult } from './placement-plan.ts';
import type { PlacementProblem } from './placement-problem.ts';
import { DEFAULT_TIME_LIMIT_S } from './solve-placement.ts';
import { fromErrorData, SolverError, type SolverErrorData } from './solver-error.ts';
import type { SolveRequest } from './solver-worker.ts';
import { validateProblem } from './validate-problem.ts';

export interface PlacementSolverOptions {
  /**
   * How long past its time limit a solve may run before the worker is presumed hung: it is
   * then terminated (and restarted for the next solve) and the FFD plan returned. Default 5 s.
   */
  hangGraceMs?: number;
}

type WorkerMessage =
  | { ready: true }
  | { failure: string; id?: number }
  | { id: number; log: string }
  | { id: number; result: SolveResult }
  | { id: number; error: SolverErrorData };

interface Pending {
  problem: PlacementProblem;
  startedAt: number;
  log: ((line: string) => void) | undefined;
  resolve: (r: SolveResult) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * The placement solver as the hub uses it: solve() runs on a worker thread, so the
 * event loop never blocks (HiGHS holds its thread for the whole solve). One solve at a
 * time; further calls wait their turn.
 *
 * Contract:
 * - start(): spawns the worker and loads HiGHS (~70 ms). Optional (solve() starts it);
 *   rejects with SolverError(WORKER_FAILED) if the worker cannot start. Idempotent.
 * - solve(problem, options): validates the problem on the calling thread first and rejects
 *   with SolverError(INVALID_INPUT, field) when it is malformed. Otherwise it resolves with
 *   a SolveResult, whatever happens in the worker: if the worker crashes or does not answer
 *   within the time limit + hangGraceMs, it is terminated and the first-fit-decreasing
 *   plan is returned (status `fallback`, the reason in notes). Rejects with
 *   SolverError(SHUT_DOWN) after shutdown().
 * - shutdown(): terminates the worker; pending solves reject with SHUT_DOWN. Safe before
 *   start() and twice.
 */
export class PlacementSolver {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private turn: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;
  private readonly hangGraceMs: number;

  constructor(options: PlacementSolverOptions = {}) {
    this.hangGraceMs = options.hangGraceMs ?? 5_000;
  }

  start(): Promise<void> {
    if (this.closed) return Promise.reject(new SolverError('SHUT_DOWN', 'the placement solver was shut down'));
    this.ready ??= this.spawn();
    return this.ready;
  }

  solve(problem: PlacementProblem, options: SolveOptions = {}): Promise<SolveResult> {
    if (this.closed) return Promise.reject(new SolverError('SHUT_DOWN', 'the placement solver was shut down'));
    try {
      validateProblem(problem);
    } catch (e) {
      return Promise.reject(e);
    }
    const mine = this.turn.then(() => this.run(problem, options));
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new SolverError('SHUT_DOWN', 'the placement solver was shut down during a solve'));
    }
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w) await w.terminate();
  }

  private async run(problem: PlacementProblem, options: SolveOptions): Promise<SolveResult> {
    await this.start();
    const worker = this.worker;
    if (!worker) throw new SolverError('SHUT_DOWN', 'the placement solver was shut down');
    const id = this.nextId++;
    const { log, ...rest } = options;
    const limitMs = (options.timeLimitSeconds ?? DEFAULT_TIME_LIMIT_S) * 1000 + this.hangGraceMs;
    return new Promise<SolveResult>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, `the solver worker did not answer within ${limitMs} ms and was restarted`), limitMs);
      this.pending.set(id, { problem, startedAt: performance.now(), log, resolve, reject, timer });
      worker.ref(); // a solve in flight keeps the process alive; an idle worker does not
      const request: SolveRequest = { id, problem, options: rest, log: log !== undefined };
      worker.postMessage(request);
    });
  }

  private spawn(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = startWorker();
      this.worker = worker;
      let started = false;
      worker.on('message', (m: WorkerMessage) => {
        if ('ready' in m) {
          started = true;
          worker.unref();
          resolve();
        } else if ('log' in m) this.pending.get(m.id)?.log?.(m.log);
        else if ('result' in m) this.settle(m.id, (p) => p.resolve(m.result));
        else if ('error' in m) this.settle(m.id, (p) => p.reject(fromErrorData(m.error)));
        else if (m.id !== undefined) this.fail(m.id, `the solver failed: ${m.failure}`, false);
        else if (!started) reject(new SolverError('WORKER_FAILED', `the solver worker could not start: ${m.failure}`));
      });
      const crashed = (cause: unknown) => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.ready = null;
        if (!started) reject(new SolverError('WORKER_FAILED', 'the solver worker could not start', undefined, { cause }));
        for (const id of [...this.pending.keys()])
          this.fail(id, `the solver worker failed: ${cause instanceof Error ? cause.message : String(cause)}`, false);
      };
      worker.on('error', crashed);
      worker.on('exit', (code) => crashed(new Error(`exited with code ${code}`)));
    });
  }

  private settle(id: number, action: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    action(p);
  }

  /** Answers a solve with the FFD fallback; by default also replaces the (hung or broken) worker. */
  private fail(id: number, reason: string, terminate = true): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (terminate && this.worker) {
      const w = this.worker;
      this.worker = null;
      this.ready = null;
      void w.terminate();
    }
    this.settle(id, (q) => q.resolve(fallbackResult(q.problem, reason, performance.now() - q.startedAt)));
  }
}

/**
 * Starts solver-worker.ts on a thread. The hub runs TypeScript through tsx, but on Node 20
 * tsx's `--import` hook does not reach worker threads, so a two-line bootstrap registers
 * tsx's loader in the worker first, then imports the worker module. Works the same under
 * `node --import tsx` and under vitest.
 */
function startWorker(): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./solver-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: [], name: 'ballast-placement-solver' });
}
