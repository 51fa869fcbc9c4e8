import type { Psi } from './cgroup/parse.ts';
import type { Sample } from './collector.ts';

export function gauge(metric: string, labels: Record<string, string>, value: number, unit: string): Sample {
  return { metric, labels, value, kind: 'gauge', unit };
}

export function counter(metric: string, labels: Record<string, string>, value: number, unit: string): Sample {
  return { metric, labels, value, kind: 'counter', unit };
}

/**
 * PSI as `<prefix>_<resource>_{some,full}_seconds_total` (cumulative stall time; rates are
 * derived from it) and `<prefix>_<resource>_{some,full}_avg10_percent` (the kernel's own
 * 10-second average, kept because it is what operators read off the file).
 */
export function pressureSamples(prefix: string, resource: string, psi: Psi, labels: Record<string, string>, out: Sample[]): void {
  for (const [kind, line] of [
    ['some', psi.some],
    ['full', psi.full],
  ] as const) {
    if (!line) continue;
    out.push(counter(`${prefix}_${resource}_${kind}_seconds_total`, labels, line.totalUsec / 1e6, 'seconds'));
    out.push(gauge(`${prefix}_${resource}_${kind}_avg10_percent`, labels, line.avg10, 'percent'));
  }
}
