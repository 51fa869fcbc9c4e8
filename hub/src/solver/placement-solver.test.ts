import { monitorEventLoopDelay } from 'node:perf_hooks';
import { aPool, aShape, syntheticProblem } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PlacementSolver } from './placement-solver.ts';
import { SolverError } from './solver-error.ts';

const solver = new PlacementSolver();
afterAll(async () => {
  await solver.shutdown();
});

describe('PlacementSolver (worker thread)', () => {
  it('solves on the worker and returns the plan', async () => {
    const pool = aPool();
    const r = await solver.solve({ pools: [pool], shapes: [aShape({ count: 10 })] });
    expect(r.status).toBe('optimal');
    expect(r.plan?.nodes).toEqual({ [pool.id]: 3 });
  });

  it('rejects a malformed problem on the calling thread with a SolverError naming the field', async () => {
    const err = await solver.solve({ pools: [aPool({ vcpu: -1 })], shapes: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SolverError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'pools[0].vcpu' });
  });

  it('keeps the event loop responsive while HiGHS works', async () => {
    // mipRelGap 0 keeps HiGHS busy up to the time limit. The bound below is generous on
    // purpose: it tells "the loop kept turning" from "the loop was blocked for the
    // solve"; the timing target belongs to bench:solver.
    const problem = { ...syntheticProblem({ pods: 600, pools: 30, seed: 5 }), constraints: { maxPoolShare: 0.3, minOnDemandShare: 0.15 } };
    await solver.start();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    delay.enable();
    const t0 = performance.now();
    const r = await solver.solve(problem, { timeLimitSeconds: 1.5, mipRelGap: 0 });
    const wallMs = performance.now() - t0;
    delay.disable();
    clearInterval(ticker);
    expect(r.plan).not.toBeNull();
    expect(wallMs).toBeGreaterThan(300);
    expect(delay.max / 1e6).toBeLessThan(250);
    expect(ticks).toBeGreaterThan(wallMs / 10 / 4);
  });

  it('streams HiGHS log lines when asked', async () => {
    const lines: string[] = [];
    const problem = { ...syntheticProblem({ pods: 200, pools: 12, seed: 4 }), constraints: { maxPoolShare: 0.5 } };
    await solver.solve(problem, { mipRelGap: 0, timeLimitSeconds: 3, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/HiGHS|MIP|Presolv/i);
  });

  it('falls back to first-fit-decreasing when the worker does not answer in time, then recovers', async () => {
    const impatient = new PlacementSolver({ hangGraceMs: 0 });
    try {
      const problem = syntheticProblem({ pods: 200, pools: 12, seed: 6 });
      const r = await impatient.solve(problem, { timeLimitSeconds: 0.001 });
      expect(r.status).toBe('fallback');
      expect(r.source).toBe('ffd');
      expect(r.plan).not.toBeNull();
      expect(r.notes.join('\n')).toMatch(/did not answer/);
      // The next solve gets a fresh worker.
      const pool = aPool();
      const next = await impatient.solve({ pools: [pool], shapes: [aShape({ count: 4 })] }, { timeLimitSeconds: 10 });
      expect(next.plan?.nodes).toEqual({ [pool.id]: 1 });
    } finally {
      await impatient.shutdown();
    }
  });

  it('shutdown: safe before start and twice; pending and later solves reject with SHUT_DOWN', async () => {
    const idle = new PlacementSolver();
    await idle.shutdown();
    await idle.shutdown();
    const busy = new PlacementSolver();
    const pending = busy.solve(syntheticProblem({ pods: 200, pools: 12, seed: 7 }), { mipRelGap: 0, timeLimitSeconds: 5 });
    await busy.start();
    await busy.shutdown();
    await expect(pending).rejects.toMatchObject({ code: 'SHUT_DOWN' });
    await expect(busy.solve({ pools: [aPool()], shapes: [] })).rejects.toMatchObject({ code: 'SHUT_DOWN' });
  });
});
