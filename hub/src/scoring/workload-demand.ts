import { nonEmptyString, nonNegative } from './checks.ts';
import type { WorkloadShape } from './pool-inputs.ts';
import { invalidInput } from './scoring-error.ts';

/** The workload's total requests: what the cost factor prices and the fit factor weighs shapes by. */
export interface WorkloadDemand {
  /** Σ count × cpuMillis / 1000. */
  vcpu: number;
  /** Σ count × memoryMib / 1024. */
  memoryGib: number;
}

/**
 * Checks the shapes and sums their requests.
 *
 * Errors (INVALID_INPUT): `shapes` not a non-empty array; a shape's id, count,
 * cpuMillis or memoryMib malformed or negative; a shape requesting neither CPU nor memory
 * (such a pod fits anywhere and tells nothing about the type); all counts zero.
 */
export function workloadDemand(shapes: readonly WorkloadShape[], field = 'shapes'): WorkloadDemand {
  if (!Array.isArray(shapes) || shapes.length === 0) throw invalidInput(field, 'must be a non-empty array of pod shapes');
  let vcpu = 0;
  let memoryGib = 0;
  shapes.forEach((s, i) => {
    const at = `${field}[${i}]`;
    if (typeof s !== 'object' || s === null) throw invalidInput(at, 'must be an object');
    nonEmptyString(s.id, `${at}.id`);
    const count = nonNegative(s.count, `${at}.count`);
    if (!Number.isInteger(count)) throw invalidInput(`${at}.count`, `must be a whole number (got ${count})`);
    const cpu = nonNegative(s.cpuMillis, `${at}.cpuMillis`);
    const mem = nonNegative(s.memoryMib, `${at}.memoryMib`);
    if (cpu === 0 && mem === 0) throw invalidInput(`${at}.cpuMillis`, 'a shape must request some CPU or memory');
    vcpu += (count * cpu) / 1000;
    memoryGib += (count * mem) / 1024;
  });
  if (vcpu === 0 && memoryGib === 0) throw invalidInput(field, 'every shape has count 0: there is nothing to score pools for');
  return { vcpu, memoryGib };
}
