import { aPool, aShape } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import type { PlacementProblem } from './placement-problem.ts';
import { SolverError } from './solver-error.ts';
import { validateProblem } from './validate-problem.ts';

const ok: PlacementProblem = { pools: [aPool()], shapes: [aShape()] };

function fieldOf(problem: unknown): string | undefined {
  try {
    validateProblem(problem as PlacementProblem);
  } catch (e) {
    expect(e).toBeInstanceOf(SolverError);
    expect((e as SolverError).code).toBe('INVALID_INPUT');
    expect((e as SolverError).message).toContain((e as SolverError).field);
    return (e as SolverError).field;
  }
  return undefined;
}

describe('validateProblem', () => {
  it('accepts a well-formed problem', () => {
    expect(fieldOf(ok)).toBeUndefined();
  });

  it('names the field of a bad pool', () => {
    expect(fieldOf({ ...ok, pools: [] })).toBe('pools');
    expect(fieldOf({ ...ok, pools: [aPool({ vcpu: -2 })] })).toBe('pools[0].vcpu');
    expect(fieldOf({ ...ok, pools: [aPool(), aPool({ arch: 'sparc' as never, zone: 'b' })] })).toBe('pools[1].arch');
    expect(fieldOf({ ...ok, pools: [aPool({ capacityType: 'reserved' as never })] })).toBe('pools[0].capacityType');
    expect(fieldOf({ ...ok, pools: [aPool({ pricePerHour: Number.NaN })] })).toBe('pools[0].pricePerHour');
    expect(fieldOf({ ...ok, pools: [aPool({ maxShare: 0 })] })).toBe('pools[0].maxShare');
    expect(fieldOf({ ...ok, pools: [aPool(), aPool()] })).toBe('pools[1].id');
  });

  it('names the field of a bad shape', () => {
    expect(fieldOf({ ...ok, shapes: [aShape({ count: -1 })] })).toBe('shapes[0].count');
    expect(fieldOf({ ...ok, shapes: [aShape({ count: 1.5 })] })).toBe('shapes[0].count');
    expect(fieldOf({ ...ok, shapes: [aShape({ arches: ['amd64' as never] })] })).toBe('shapes[0].arches[0]');
    expect(fieldOf({ ...ok, shapes: [aShape({ instanceFamilies: [] })] })).toBe('shapes[0].instanceFamilies');
    expect(fieldOf({ ...ok, shapes: [aShape({ cpuMillis: 0, memoryMib: 0 })] })).toBe('shapes[0].cpuMillis');
    expect(fieldOf({ ...ok, shapes: [aShape({ spotAllowed: false, onDemandAllowed: false })] })).toBe('shapes[0].spotAllowed');
  });

  it('names the field of a bad constraint, including references to unknown ids', () => {
    expect(fieldOf({ ...ok, constraints: { maxPoolShare: 1.5 } })).toBe('constraints.maxPoolShare');
    expect(fieldOf({ ...ok, constraints: { minOnDemandShare: -0.1 } })).toBe('constraints.minOnDemandShare');
    expect(fieldOf({ ...ok, constraints: { allowedArches: ['x86'] as never } })).toBe('constraints.allowedArches[0]');
    expect(fieldOf({ ...ok, constraints: { forceOnDemand: [{ shapeIds: ['nope'] }] } })).toBe('constraints.forceOnDemand[0].shapeIds[0]');
    expect(fieldOf({ ...ok, constraints: { azSpread: { minZones: -1 } } })).toBe('constraints.azSpread.minZones');
    expect(fieldOf({ ...ok, constraints: { disruption: { currentNodes: { 'x|y|spot': 2 }, maxReplacements: 1 } } })).toBe(
      'constraints.disruption.currentNodes["x|y|spot"]',
    );
    expect(fieldOf({ ...ok, constraints: { disruption: { currentNodes: { [aPool().id]: -2 }, maxReplacements: 1 } } })).toBe(
      `constraints.disruption.currentNodes[${JSON.stringify(aPool().id)}]`,
    );
    expect(fieldOf({ ...ok, constraints: { disruption: { currentNodes: {}, maxReplacements: -1 } } })).toBe(
      'constraints.disruption.maxReplacements',
    );
  });
});
