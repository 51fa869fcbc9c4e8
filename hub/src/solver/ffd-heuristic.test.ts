import { aPool, aShape, onDemandOf } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { ffdPlan } from './ffd-heuristic.ts';
import type { PlacementProblem } from './placement-problem.ts';
import { planViolations } from './plan-check.ts';
import { prepareProblem } from './prepare-problem.ts';

function ffd(problem: PlacementProblem) {
  const prep = prepareProblem(problem);
  const plan = ffdPlan(prep);
  const byPool = (id: string) => prep.pools.findIndex((p) => p.id === id);
  return {
    plan,
    violations: planViolations(prep, plan),
    nodes: (id: string) => plan.nodes[byPool(id)],
    /** Pods per node (by shape id), in node order. */
    layout: plan.bins.map((b) => Object.fromEntries([...b.pods].map(([s, k]) => [prep.shapes[s]?.id, k]))),
  };
}

const small = aPool({ instanceType: 'm5.large', vcpu: 2, memoryMib: 8192, pricePerHour: 0.1 });
const big = aPool({ instanceType: 'm5.2xlarge', vcpu: 8, memoryMib: 32768, pricePerHour: 0.3 });

describe('ffdPlan (first-fit-decreasing on the cheapest offerings)', () => {
  it('fills each node before opening the next', () => {
    // 10 × 500m on 2000m nodes: 4 + 4 + 2.
    const r = ffd({ pools: [small], shapes: [aShape({ count: 10 })] });
    expect(r.layout).toEqual([{ web: 4 }, { web: 4 }, { web: 2 }]);
    expect(r.violations).toEqual([]);
  });

  it('places the largest pods first, small ones into the gaps', () => {
    // 1500m pods open a node each; the 500m pods fill the 500m left on each: 2 nodes, not 3.
    const r = ffd({ pools: [small], shapes: [aShape({ id: 'small', count: 2 }), aShape({ id: 'large', count: 2, cpuMillis: 1500 })] });
    expect(r.layout).toEqual([
      { large: 1, small: 1 },
      { large: 1, small: 1 },
    ]);
  });

  it('opens the pool that is cheapest for the pods still waiting', () => {
    // 16 × 500m = 8 vCPU: one big node ($0.30) beats four small ones ($0.40).
    expect(ffd({ pools: [small, big], shapes: [aShape({ count: 16 })] }).nodes(big.id)).toBe(1);
    // 4 × 500m = 2 vCPU: one small node ($0.10) beats a big one ($0.30).
    expect(ffd({ pools: [small, big], shapes: [aShape({ count: 4 })] }).nodes(small.id)).toBe(1);
  });

  it('keeps pods off pools they may not use', () => {
    const od = onDemandOf(small);
    const r = ffd({ pools: [small, od], shapes: [aShape({ count: 4, spotAllowed: false })] });
    expect(r.nodes(small.id)).toBe(0);
    expect(r.nodes(od.id)).toBe(1);
  });

  it('fills the current fleet first and removes emptied nodes only within the disruption budget', () => {
    const old = aPool({ instanceType: 'm4.large', family: 'm4', pricePerHour: 0.2 });
    const shapes = [aShape({ count: 4 })];
    const keepAll = ffd({
      pools: [small, old],
      shapes,
      constraints: { disruption: { currentNodes: { [old.id]: 2 }, maxReplacements: 0 } },
    });
    expect(keepAll.nodes(old.id)).toBe(2); // one full, one empty but within no budget to remove
    expect(keepAll.nodes(small.id)).toBe(0);
    const removeOne = ffd({
      pools: [small, old],
      shapes,
      constraints: { disruption: { currentNodes: { [old.id]: 2 }, maxReplacements: 1 } },
    });
    expect(removeOne.nodes(old.id)).toBe(1);
    expect(removeOne.violations).toEqual([]);
  });

  it('repairs node-count rules a packing ignores: the on-demand floor by moving a node to its on-demand twin', () => {
    const od = onDemandOf(small);
    const r = ffd({ pools: [small, od], shapes: [aShape({ count: 8 })], constraints: { minOnDemandShare: 0.5 } });
    expect(r.nodes(small.id)).toBe(1);
    expect(r.nodes(od.id)).toBe(1);
    expect(r.violations).toEqual([]);
  });

  it('repairs a share cap by adding nodes elsewhere when no sibling pool exists', () => {
    const other = aPool({ instanceType: 'c5.large', family: 'c5', vcpu: 2, memoryMib: 4096, pricePerHour: 0.12 });
    const r = ffd({ pools: [small, other], shapes: [aShape({ count: 4 })], constraints: { maxPoolShare: 0.5 } });
    // One packed m5.large holds all 4 pods; the cap needs a second node in another pool: an empty c5.large.
    expect(r.nodes(small.id)).toBe(1);
    expect(r.nodes(other.id)).toBe(1);
    expect(r.violations).toEqual([]);
  });

  it('leaves pods that fit nowhere unplaced (and the check says so)', () => {
    const r = ffd({ pools: [small], shapes: [aShape({ count: 1, cpuMillis: 3000 })] });
    expect(r.plan.bins).toEqual([]);
    expect(r.violations.join('\n')).toMatch(/^demand: shape web has 0 of 1 pods placed/);
  });
});
