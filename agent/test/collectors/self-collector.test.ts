import { describe, expect, it } from 'vitest';
import { SelfCollector } from '../../src/collectors/self-collector.ts';

const values = (s: { metric: string; value: number }[]) => Object.fromEntries(s.map((x) => [x.metric, x.value]));

/** Blocks the loop for `ms` of wall time. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // block on purpose
  }
}

/** Burns `ms` of this process's CPU time (not wall time: a loaded test machine may share the core). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const d = process.cpuUsage(start);
    if ((d.user + d.system) / 1000 >= ms) return;
  }
}

describe('self collector', () => {
  it('counts the agent’s CPU from zero and reports memory', async () => {
    const c = new SelfCollector();
    await c.start();
    const first = values(await c.collect());
    burnCpu(60);
    const second = values(await c.collect());
    const cpu0 = first['ballast_agent_cpu_seconds_total'] as number;
    const cpu1 = second['ballast_agent_cpu_seconds_total'] as number;
    expect(cpu0).toBeGreaterThanOrEqual(0);
    // Counted from start(), not from the process's birth (module loading alone took more).
    const lifetime = process.cpuUsage();
    expect(cpu0).toBeLessThan((lifetime.user + lifetime.system) / 1e6 - 0.1);
    expect(cpu1 - cpu0).toBeGreaterThanOrEqual(0.05);
    expect(second['ballast_agent_resident_memory_bytes']).toBeGreaterThan(10 * 1024 * 1024);
    expect(second['ballast_agent_heap_used_bytes']).toBeGreaterThan(0);
    expect(second['ballast_agent_heap_total_bytes']).toBeGreaterThanOrEqual(second['ballast_agent_heap_used_bytes'] as number);
    await c.shutdown();
  });

  it('sees a blocked event loop as lag, without the sampling resolution', async () => {
    const c = new SelfCollector({ loopResolutionMs: 10 });
    await c.start();
    await new Promise((r) => setTimeout(r, 50));
    await c.collect(); // resets the histogram
    await new Promise((r) => setTimeout(r, 30));
    spin(120);
    await new Promise((r) => setTimeout(r, 30));
    const v = values(await c.collect());
    expect(v['ballast_agent_event_loop_lag_max_seconds']).toBeGreaterThan(0.08);
    expect(v['ballast_agent_event_loop_lag_max_seconds']).toBeLessThan(1);
    await c.shutdown();
  });

  it('subtracts the sampling resolution, so an idle loop reads near zero', async () => {
    const c = new SelfCollector({ loopResolutionMs: 100 });
    await c.start();
    await new Promise((r) => setTimeout(r, 350));
    const idle = values(await c.collect());
    // Without the subtraction an idle loop would read ≥ 0.1 s; leave room for a busy test machine.
    expect(idle['ballast_agent_event_loop_lag_p99_seconds']).toBeLessThan(0.08);
    await c.shutdown();
  });

  it('reports the pipeline’s buffer depth and drops from the callback', async () => {
    const c = new SelfCollector({ pipeline: () => ({ bufferedPoints: 1234, droppedPoints: 5 }) });
    const samples = await c.collect();
    expect(samples.find((s) => s.metric === 'ballast_agent_buffered_points')).toMatchObject({ value: 1234, kind: 'gauge' });
    expect(samples.find((s) => s.metric === 'ballast_agent_dropped_points_total')).toMatchObject({ value: 5, kind: 'counter' });
  });

  it('is safe to shut down before start and to collect without start', async () => {
    const c = new SelfCollector();
    await c.shutdown();
    const v = values(await c.collect());
    expect(v['ballast_agent_cpu_seconds_total']).toBe(0);
    expect(v['ballast_agent_event_loop_lag_p99_seconds']).toBeUndefined();
  });
});
