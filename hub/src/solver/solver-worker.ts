/**
 * The solver's worker thread: loads HiGHS once, then solves one problem per message. HiGHS
 * blocks the thread it runs on for up to the time limit, which is why it lives here and
 * not on the hub's event loop. Messages (see placement-solver.ts):
 *   in:  { id, problem, options, log }
 *   out: { ready } once HiGHS is loaded; { id, log } lines when asked; then one of
 *        { id, result } | { id, error: SolverErrorData } | { id, failure: string }.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { getHighs } from './highs-run.ts';
import type { SolveOptions } from './placement-plan.ts';
import type { PlacementProblem } from './placement-problem.ts';
import { solvePlacement } from './solve-placement.ts';
import { SolverError, toErrorData } from './solver-error.ts';

export interface SolveRequest {
  id: number;
  problem: PlacementProblem;
  options: Omit<SolveOptions, 'log'>;
  /** Stream HiGHS' log lines back as { id, log } messages. */
  log: boolean;
}

const port = parentPort;
if (!port) throw new Error('solver-worker.ts must run in a worker thread');

// Solving is background work: on Linux, lower this thread's priority (nice 10) so that on
// a busy machine the scheduler runs the hub's event loop first. setpriority() with a
// thread id affects that thread only; elsewhere this is skipped.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: run at normal priority
}

getHighs().then(
  () => port.postMessage({ ready: true }),
  (e: unknown) => port.postMessage({ failure: `HiGHS did not load: ${e instanceof Error ? e.message : String(e)}` }),
);

port.on('message', async (req: SolveRequest) => {
  try {
    const highs = await getHighs();
    const log = req.log ? (line: string) => port.postMessage({ id: req.id, log: line }) : undefined;
    const result = solvePlacement(highs, req.problem, { ...req.options, ...(log ? { log } : {}) });
    port.postMessage({ id: req.id, result });
  } catch (e) {
    if (e instanceof SolverError) port.postMessage({ id: req.id, error: toErrorData(e) });
    else port.postMessage({ id: req.id, failure: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
