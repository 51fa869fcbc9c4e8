import { aPool, aShape, onDemandOf } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import type { PlacementProblem } from './placement-problem.ts';
import { planViolations } from './plan-check.ts';
import { prepareProblem } from './prepare-problem.ts';

// The checker is what every plan (heuristic or MILP) must pass before it is returned, and
// what the solver tests re-check plans with, so it gets its own cases: one per rule.

const a = aPool();
const b = aPool({ zone: 'us-east-1b' });
const od = onDemandOf(a);

function check(problem: PlacementProblem, nodes: number[], x: number[][]): string[] {
  return planViolations(prepareProblem(problem), { nodes, x });
}

describe('planViolations', () => {
  const shapes = [aShape({ count: 4 })];

  it('passes a valid plan', () => {
    expect(check({ pools: [a, b, od], shapes }, [1, 0, 0], [[4, 0, 0]])).toEqual([]);
  });

  it('finds unplaced pods, ineligible pools and overfull pools', () => {
    expect(check({ pools: [a, b, od], shapes }, [1, 0, 0], [[3, 0, 0]])[0]).toMatch(/^demand:/);
    expect(check({ pools: [a, b, od], shapes: [aShape({ count: 4, spotAllowed: false })] }, [1, 0, 0], [[4, 0, 0]]).join()).toMatch(
      /eligibility:/,
    );
    expect(
      check(
        { pools: [a, b, od], shapes },
        [1, 0, 0],
        [[4, 0, 0]].map((r) => r.map((v) => v * 2)),
      ),
    ).toContainEqual(expect.stringMatching(/^capacity:/));
  });

  it('finds broken node-count rules', () => {
    const two = [[2, 2, 0]];
    expect(check({ pools: [a, b, od], shapes, constraints: { maxPoolShare: 0.4 } }, [1, 1, 0], two)).toEqual([
      expect.stringMatching(/^pool share: .*us-east-1a/),
      expect.stringMatching(/^pool share: .*us-east-1b/),
    ]);
    expect(check({ pools: [a, b, od], shapes, constraints: { minOnDemandShare: 0.5 } }, [1, 1, 0], two)[0]).toMatch(/^on-demand floor:/);
    expect(check({ pools: [a, b, od], shapes, constraints: { minOnDemandNodes: 1 } }, [1, 1, 0], two)[0]).toMatch(/^on-demand nodes:/);
    expect(check({ pools: [a, b, od], shapes, constraints: { azSpread: { minZones: 2 } } }, [1, 0, 0], [[4, 0, 0]])[0]).toMatch(
      /^min zones:/,
    );
    expect(check({ pools: [a, b, od], shapes, constraints: { azSpread: { maxZoneShare: 0.5 } } }, [1, 0, 0], [[4, 0, 0]])[0]).toMatch(
      /^zone share:/,
    );
    expect(check({ pools: [{ ...a, maxNodes: 0 }, b, od], shapes }, [1, 0, 0], [[4, 0, 0]])).toContainEqual(
      expect.stringMatching(/^max nodes:/),
    );
    const disruption = { currentNodes: { [b.id]: 2 }, maxReplacements: 1 };
    expect(check({ pools: [a, b, od], shapes, constraints: { disruption } }, [1, 0, 0], [[4, 0, 0]])[0]).toMatch(
      /^disruption budget: 2 nodes replaced/,
    );
  });
});
