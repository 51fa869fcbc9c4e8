import { aPool, aShape, onDemandOf, syntheticProblem } from '@ballast/testkit';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Bin, emptyBin } from './bin-packing.ts';
import { getHighs } from './highs-run.ts';
import type { SolveOptions, SolveResult } from './placement-plan.ts';
import type { PlacementProblem, PodShape } from './placement-problem.ts';
import { type IndexPlan, planViolations } from './plan-check.ts';
import { prepareProblem } from './prepare-problem.ts';
import { solvePlacement } from './solve-placement.ts';

// Each constraint gets a case where it binds: the cheapest plan without it breaks it, so
// the solver must pay more (or change shape) to meet it.

let highs: Highs;
beforeAll(async () => {
  highs = await getHighs();
});

function solve(problem: PlacementProblem, options: SolveOptions = {}): SolveResult {
  const r = solvePlacement(highs, problem, { timeLimitSeconds: 20, ...options });
  if (r.plan) expect(violations(problem, r)).toEqual([]);
  if (r.plan && r.bound !== null) expect(r.bound).toBeLessThanOrEqual(r.plan.expectedCostPerHour + 1e-6);
  return r;
}

/** Re-checks a returned plan against the problem independently of how it was found, on its own node layouts. */
function violations(problem: PlacementProblem, r: SolveResult): string[] {
  const prep = prepareProblem(problem);
  const poolIndex = new Map(prep.pools.map((p, i) => [p.id, i]));
  const shapeIndex = new Map(prep.shapes.map((s, i) => [s.id, i]));
  const bins: Bin[] = (r.plan?.layouts ?? []).flatMap((l) =>
    Array.from({ length: l.count }, () => {
      const bin = emptyBin(prep, poolIndex.get(l.poolId) as number);
      for (const [id, k] of Object.entries(l.pods)) {
        const s = shapeIndex.get(id) as number;
        bin.pods.set(s, k);
        bin.cpu -= k * (prep.shapes[s] as PodShape).cpuMillis;
        bin.mem -= k * (prep.shapes[s] as PodShape).memoryMib;
      }
      return bin;
    }),
  );
  const plan: IndexPlan = {
    nodes: prep.pools.map((p) => r.plan?.nodes[p.id] ?? 0),
    x: prep.shapes.map((s) => prep.pools.map((p) => r.plan?.assignments.find((a) => a.shapeId === s.id && a.poolId === p.id)?.pods ?? 0)),
    bins,
  };
  return planViolations(prep, plan);
}

const cheap = aPool({ instanceType: 'm5.large', pricePerHour: 0.04 });
const pricier = aPool({ instanceType: 'm5a.large', family: 'm5a', pricePerHour: 0.05 });

describe('solvePlacement', () => {
  it('capacity: buys the nodes the pods need, by CPU and by memory', () => {
    // 10 × 500m on 2-vCPU nodes: 4 a node, so 3 nodes.
    expect(solve({ pools: [cheap], shapes: [aShape({ count: 10 })] }).plan?.nodes).toEqual({ [cheap.id]: 3 });
    // 10 × 3 GiB on 8 GiB nodes: memory allows 2 a node, so 5 nodes although CPU would fit 8.
    expect(solve({ pools: [cheap], shapes: [aShape({ count: 10, cpuMillis: 250, memoryMib: 3072 })] }).plan?.nodes).toEqual({
      [cheap.id]: 5,
    });
  });

  it('capacity: packs node by node, not just in aggregate', () => {
    // 3 × 1200m on 2000m nodes: 3600m would fit 2 nodes in aggregate, but only one pod fits a node.
    const r = solve({ pools: [cheap], shapes: [aShape({ count: 3, cpuMillis: 1200 })] });
    expect(r.plan?.nodes).toEqual({ [cheap.id]: 3 });
  });

  it('node overhead: reserved room is not available to pods', () => {
    const shapes = [aShape({ count: 4 })];
    expect(solve({ pools: [cheap], shapes }).plan?.nodes).toEqual({ [cheap.id]: 1 });
    expect(solve({ pools: [cheap], shapes, constraints: { nodeOverhead: { cpuMillis: 100, memoryMib: 0 } } }).plan?.nodes).toEqual({
      [cheap.id]: 2,
    });
  });

  it('minimises expected cost, not price: a risky cheap pool loses to a calm one', () => {
    const risky = aPool({ zone: 'us-east-1b', pricePerHour: 0.03, expectedCostPerHour: 0.06 });
    const r = solve({ pools: [risky, pricier], shapes: [aShape({ count: 8 })] });
    expect(r.plan?.nodes).toEqual({ [pricier.id]: 2 });
  });

  it('pool share cap: diversification forces a second pool', () => {
    const shapes = [aShape({ count: 8 })];
    expect(solve({ pools: [cheap, pricier], shapes }).plan?.nodes).toEqual({ [cheap.id]: 2 });
    const capped = solve({ pools: [cheap, pricier], shapes, constraints: { maxPoolShare: 0.5 } });
    expect(capped.plan?.nodes).toEqual({ [cheap.id]: 1, [pricier.id]: 1 });
    // The same through the pool's own cap.
    const own = solve({ pools: [{ ...cheap, maxShare: 0.5 }, pricier], shapes });
    expect(own.plan?.nodes).toEqual({ [cheap.id]: 1, [pricier.id]: 1 });
  });

  it('pool node limit: a pool short of capacity gives what it has', () => {
    const r = solve({ pools: [{ ...cheap, maxNodes: 1 }, pricier], shapes: [aShape({ count: 8 })] });
    expect(r.plan?.nodes).toEqual({ [cheap.id]: 1, [pricier.id]: 1 });
  });

  it('on-demand floor: forces on-demand nodes', () => {
    const od = onDemandOf(cheap);
    const shapes = [aShape({ count: 16 })];
    expect(solve({ pools: [cheap, od], shapes }).plan?.nodes).toEqual({ [cheap.id]: 4 });
    expect(solve({ pools: [cheap, od], shapes, constraints: { minOnDemandShare: 0.5 } }).plan?.nodes).toEqual({
      [cheap.id]: 2,
      [od.id]: 2,
    });
    expect(solve({ pools: [cheap, od], shapes, constraints: { maxSpotShare: 0.75 } }).plan?.nodes).toEqual({ [cheap.id]: 3, [od.id]: 1 });
    expect(solve({ pools: [cheap, od], shapes, constraints: { minOnDemandNodes: 2 } }).plan?.nodes).toEqual({ [cheap.id]: 2, [od.id]: 2 });
  });

  it('force-on-demand: excludes spot for the whole cluster or for given shapes', () => {
    const od = onDemandOf(cheap);
    const shapes = [aShape({ id: 'web', count: 4 }), aShape({ id: 'db', count: 4 })];
    const all = solve({ pools: [cheap, od], shapes, constraints: { forceOnDemand: [{ instanceTypes: ['m5.large'], reason: 'risk' }] } });
    expect(all.plan?.nodes).toEqual({ [od.id]: 2 });
    const dbOnly = solve({ pools: [cheap, od], shapes, constraints: { forceOnDemand: [{ shapeIds: ['db'] }] } });
    expect(dbOnly.plan?.nodes).toEqual({ [cheap.id]: 1, [od.id]: 1 });
    expect(dbOnly.plan?.assignments).toContainEqual({ shapeId: 'db', poolId: od.id, pods: 4 });
  });

  it('spot tolerance: pods that do not tolerate spot go on-demand', () => {
    const od = onDemandOf(cheap);
    const r = solve({ pools: [cheap, od], shapes: [aShape({ count: 4, spotAllowed: false })] });
    expect(r.plan?.nodes).toEqual({ [od.id]: 1 });
  });

  it('arch allow-lists: cluster-wide and per shape', () => {
    const arm = aPool({ instanceType: 'm6g.large', family: 'm6g', arch: 'arm64', pricePerHour: 0.03 });
    const shapes = [aShape({ count: 4 })];
    expect(solve({ pools: [cheap, arm], shapes }).plan?.nodes).toEqual({ [arm.id]: 1 });
    expect(solve({ pools: [cheap, arm], shapes, constraints: { allowedArches: ['x86_64'] } }).plan?.nodes).toEqual({ [cheap.id]: 1 });
    const x86Only = solve({ pools: [cheap, arm], shapes: [aShape({ count: 4, arches: ['x86_64'] })] });
    expect(x86Only.plan?.nodes).toEqual({ [cheap.id]: 1 });
  });

  it('family and type allow-lists: cluster-wide and per shape', () => {
    const shapes = [aShape({ count: 4 })];
    expect(solve({ pools: [cheap, pricier], shapes, constraints: { allowedFamilies: ['m5a'] } }).plan?.nodes).toEqual({ [pricier.id]: 1 });
    expect(solve({ pools: [cheap, pricier], shapes, constraints: { allowedInstanceTypes: ['m5a.large'] } }).plan?.nodes).toEqual({
      [pricier.id]: 1,
    });
    expect(solve({ pools: [cheap, pricier], shapes: [aShape({ count: 4, instanceFamilies: ['m5a'] })] }).plan?.nodes).toEqual({
      [pricier.id]: 1,
    });
    expect(solve({ pools: [cheap, pricier], shapes: [aShape({ count: 4, instanceTypes: ['m5a.large'] })] }).plan?.nodes).toEqual({
      [pricier.id]: 1,
    });
  });

  it('AZ spread: a minimum number of zones, and a cap per zone', () => {
    const b = aPool({ zone: 'us-east-1b', pricePerHour: 0.045 });
    const c = aPool({ zone: 'us-east-1c', pricePerHour: 0.047 });
    const shapes = [aShape({ count: 12 })];
    expect(solve({ pools: [cheap, b, c], shapes }).plan?.nodes).toEqual({ [cheap.id]: 3 });
    expect(solve({ pools: [cheap, b, c], shapes, constraints: { azSpread: { minZones: 3 } } }).plan?.nodes).toEqual({
      [cheap.id]: 1,
      [b.id]: 1,
      [c.id]: 1,
    });
    // Two zones at most half each: the 3 nodes the pods need cannot split evenly, so 4 (2 + 2).
    const capped = solve({ pools: [cheap, b], shapes, constraints: { azSpread: { maxZoneShare: 0.5 } } });
    expect(capped.plan?.nodes).toEqual({ [cheap.id]: 2, [b.id]: 2 });
  });

  it('disruption budget: limits how many current nodes the plan replaces', () => {
    const old = aPool({ instanceType: 'm4.large', family: 'm4', pricePerHour: 0.06 });
    const shapes = [aShape({ count: 16 })];
    const currentNodes = { [old.id]: 4 };
    const free = solve({ pools: [old, cheap], shapes, constraints: { disruption: { currentNodes, maxReplacements: 4 } } });
    expect(free.plan?.nodes).toEqual({ [cheap.id]: 4 });
    expect(free.plan?.replacements).toBe(4);
    const one = solve({ pools: [old, cheap], shapes, constraints: { disruption: { currentNodes, maxReplacements: 1 } } });
    expect(one.plan?.nodes).toEqual({ [old.id]: 3, [cheap.id]: 1 });
    expect(one.plan?.replacements).toBe(1);
  });

  it('disruption budget: nodes of a pool now excluded stay until the budget allows', () => {
    const od = onDemandOf(cheap);
    const constraints = { forceOnDemand: [{}], disruption: { currentNodes: { [cheap.id]: 3 }, maxReplacements: 1 } };
    const r = solve({ pools: [cheap, od], shapes: [aShape({ count: 12 })], constraints });
    // Two spot nodes stay (empty: no pod may use them any more), three on-demand nodes take the pods.
    expect(r.plan?.nodes).toEqual({ [cheap.id]: 2, [od.id]: 3 });
  });

  it('infeasible: a shape that fits no pool, or rules that cannot all hold', () => {
    const tooBig = solve({ pools: [cheap], shapes: [aShape({ cpuMillis: 4000 })] });
    expect(tooBig.status).toBe('infeasible');
    expect(tooBig.plan).toBeNull();
    expect(tooBig.notes.join('\n')).toMatch(/fits no pool/);
    const zones = solve({ pools: [cheap], shapes: [aShape({ count: 4 })], constraints: { azSpread: { minZones: 2 } } });
    expect(zones.status).toBe('infeasible');
    expect(zones.plan).toBeNull();
  });

  it('finds plans only mixed nodes allow, where first-fit-decreasing and one-shape nodes fail', () => {
    // Nodes of 2000m/2000 MiB, at most 2. One each of a (1000m/100Mi), b (100m/1000Mi) and
    // c (900m/900Mi) fill a node exactly; FFD pairs the a's and the b's and needs a third node.
    const pool = aPool({ vcpu: 2, memoryMib: 2000, maxNodes: 2 });
    const shapes = [
      aShape({ id: 'a', count: 2, cpuMillis: 1000, memoryMib: 100 }),
      aShape({ id: 'b', count: 2, cpuMillis: 100, memoryMib: 1000 }),
      aShape({ id: 'c', count: 2, cpuMillis: 900, memoryMib: 900 }),
    ];
    const r = solve({ pools: [pool], shapes });
    expect(r.ffd.violations.join()).toMatch(/demand/);
    expect(r.plan?.layouts).toEqual([{ poolId: pool.id, count: 2, pods: { a: 1, b: 1, c: 1 } }]);
  });

  it('an empty problem needs no nodes', () => {
    const r = solve({ pools: [cheap], shapes: [] });
    expect(r.plan?.nodeCount).toBe(0);
    expect(r.status).toBe('optimal');
  });

  it('reports the MILP, its warm start and a proven gap on a problem of some size', () => {
    const problem = { ...syntheticProblem({ pods: 300, pools: 20, seed: 2 }), constraints: { maxPoolShare: 0.4, minOnDemandShare: 0.1 } };
    const r = solve(problem, { mipRelGap: 0, timeLimitSeconds: 3 });
    expect(r.plan).not.toBeNull();
    expect(r.model.integerColumns).toBeGreaterThan(0);
    expect(r.warmStart).toBe('accepted');
    expect(r.gap).not.toBeNull();
    expect(r.gap as number).toBeLessThan(0.05);
    expect(r.plan?.expectedCostPerHour).toBeLessThanOrEqual(r.ffd.expectedCostPerHour);
    // Incumbents only ever improve.
    const costs = r.incumbents.map((i) => i.expectedCostPerHour);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
  });

  it('time limit: still returns a valid plan (heuristic or MILP) when time runs out', () => {
    const problem = { ...syntheticProblem({ pods: 300, pools: 20, seed: 3 }), constraints: { maxPoolShare: 0.4 } };
    const r = solve(problem, { timeLimitSeconds: 0.05, mipRelGap: 0 });
    expect(r.plan).not.toBeNull();
    expect(['fallback', 'time-limit', 'optimal']).toContain(r.status);
  });
});
