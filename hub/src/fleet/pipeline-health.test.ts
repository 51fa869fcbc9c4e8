import { systemClock } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { PipelineHealth } from './pipeline-health.ts';

describe('PipelineHealth', () => {
  it('reports ok, degraded and down, and keeps the last error after recovery', async () => {
    let failing = true;
    const health = new PipelineHealth(
      [
        { name: 'store', check: async () => ({ detail: { rows: 1 } }) },
        { name: 'catalog', check: async () => ({ degraded: 'spot refresh failing' }) },
        {
          name: 'solver',
          check: async () => {
            if (failing) throw new Error('worker crashed');
            return undefined;
          },
        },
      ],
      systemClock,
      2_000,
      0,
    );
    const first = await health.status();
    expect(first.map((c) => [c.name, c.status, c.lastError?.message ?? null])).toEqual([
      ['store', 'ok', null],
      ['catalog', 'degraded', 'spot refresh failing'],
      ['solver', 'down', 'worker crashed'],
    ]);
    expect(first[0]?.detail).toEqual({ rows: 1 });
    failing = false;
    const second = await health.status();
    expect(second[2]).toMatchObject({ status: 'ok', lastError: { message: 'worker crashed' } });
  });

  it('shares one round of probes among callers within the reuse period', async () => {
    let checks = 0;
    let now = 0;
    const clock = { ...systemClock, now: () => now };
    const health = new PipelineHealth([{ name: 'store', check: async () => void checks++ }], clock, 2_000, 1_000);
    await Promise.all([health.status(), health.status()]);
    now = 999;
    await health.status();
    expect(checks).toBe(1);
    now = 1_000;
    await health.status();
    expect(checks).toBe(2);
  });

  it('marks a probe that does not answer in time as down', async () => {
    const health = new PipelineHealth([{ name: 'executor', check: () => new Promise(() => {}) }], systemClock, 20, 0);
    const [c] = await health.status();
    expect(c).toMatchObject({ status: 'down', lastError: { message: 'no answer within 20 ms' } });
  });
});
