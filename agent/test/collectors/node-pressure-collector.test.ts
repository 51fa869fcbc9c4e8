import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodePressureCollector } from '../../src/collectors/node-pressure-collector.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ballast-psi-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const d = join(scratch, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

describe('node pressure collector', () => {
  it('reads /proc/pressure cpu, memory and io as seconds totals and avg10 percentages', async () => {
    const root = dir('full', {
      // System-level cpu "full" is all zeros on kernels that print it; it is still emitted.
      cpu: 'some avg10=2.98 avg60=14.03 avg300=19.98 total=183014823\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
      memory: 'some avg10=0.10 avg60=0.05 avg300=0.01 total=1500000\nfull avg10=0.05 avg60=0.02 avg300=0.00 total=700000\n',
      io: 'some avg10=1.50 avg60=1.00 avg300=0.75 total=42000000\nfull avg10=1.25 avg60=0.80 avg300=0.60 total=40000000\n',
    });
    const errors: unknown[] = [];
    const c = new NodePressureCollector({ root, onError: (_s, e) => errors.push(e) });
    const samples = await c.collect();
    expect(Object.fromEntries(samples.map((s) => [s.metric, s.value]))).toEqual({
      node_pressure_cpu_some_seconds_total: 183.014823,
      node_pressure_cpu_some_avg10_percent: 2.98,
      node_pressure_cpu_full_seconds_total: 0,
      node_pressure_cpu_full_avg10_percent: 0,
      node_pressure_memory_some_seconds_total: 1.5,
      node_pressure_memory_some_avg10_percent: 0.1,
      node_pressure_memory_full_seconds_total: 0.7,
      node_pressure_memory_full_avg10_percent: 0.05,
      node_pressure_io_some_seconds_total: 42,
      node_pressure_io_some_avg10_percent: 1.5,
      node_pressure_io_full_seconds_total: 40,
      node_pressure_io_full_avg10_percent: 1.25,
    });
    expect(samples.every((s) => Object.keys(s.labels).length === 0)).toBe(true);
    expect(samples.find((s) => s.metric === 'node_pressure_cpu_some_seconds_total')).toMatchObject({ kind: 'counter', unit: 'seconds' });
    expect(errors).toEqual([]);
  });

  it('yields nothing and reports nothing on a kernel without PSI', async () => {
    const errors: unknown[] = [];
    const c = new NodePressureCollector({ root: join(scratch, 'absent'), onError: (_s, e) => errors.push(e) });
    expect(await c.collect()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('skips a malformed file, keeps the others, and reports it once', async () => {
    const root = dir('bad', {
      cpu: 'some avg10=oops\n',
      memory: 'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n',
    });
    const errors: string[] = [];
    const c = new NodePressureCollector({ root, onError: (s) => errors.push(s) });
    const first = await c.collect();
    await c.collect();
    expect(first.map((s) => s.metric)).toEqual(['node_pressure_memory_some_seconds_total', 'node_pressure_memory_some_avg10_percent']);
    expect(errors).toEqual(['pressure-cpu']);
  });

  // Kernels without PSI have no /proc/pressure: the collector must then emit nothing and report no error.
  it('reads this machine’s /proc/pressure, or emits nothing where the kernel has none', async () => {
    const errors: string[] = [];
    const samples = await new NodePressureCollector({ onError: (s) => errors.push(s) }).collect();
    const cpu = samples.some((s) => s.metric === 'node_pressure_cpu_some_seconds_total');
    expect(cpu).toBe(existsSync('/proc/pressure/cpu'));
    expect(errors).toEqual([]);
  });
});
