import { describe, expect, it } from 'vitest';
import { decisionPolicies } from './decision-policies.ts';
import { rankCost } from './engine-context.ts';
import { planProblem } from './plan-problem.ts';
import { OVERHEAD, pools, T0, webWorkload } from './test-builders.ts';

const web = { ...webWorkload({ desired: 140, minReplicas: 70 }), cpuMillis: 500, memoryMib: 1024 };

describe('planProblem', () => {
  it('prices spot pools with their risk, leaves risky ones out and caps each pool at its share of the capacity', () => {
    const ps = pools([
      { zone: 'us-east-1a', price: 0.07 },
      { type: 'c5.xlarge', zone: 'us-east-1b', memoryGib: 8, price: 0.06, onDemand: 0.17, interruptions: 6, instanceHours: 50 },
      { type: 'm5.4xlarge', zone: 'us-east-1c', vcpu: 16, memoryGib: 64, price: 0.28, onDemand: 0.768 },
      { zone: 'us-east-1a', capacityType: 'on-demand' },
    ]);
    const p = planProblem({
      nowMs: T0,
      pools: ps,
      workloads: [web],
      // Dollars alone: the discount preference has its own test below.
      policies: decisionPolicies({ headroomShare: 0, discountPreference: 0 }),
      nodeOverhead: OVERHEAD,
    });
    const ids = p.pools.map((x) => x.id);
    expect(ids).not.toContain('c5.xlarge|us-east-1b|spot');
    const a = p.pools.find((x) => x.id === 'm5.xlarge|us-east-1a|spot');
    expect(a?.expectedCostPerHour).toBeGreaterThan(0.07);
    // 25% of 70 vCPU is 17.5 vCPU: five 3.8-vCPU nodes, or two 15.8-vCPU ones.
    expect(a?.maxNodes).toBe(5);
    expect(p.pools.find((x) => x.instanceType === 'm5.4xlarge')?.maxNodes).toBe(2);
    expect(p.pools.find((x) => x.capacityType === 'on-demand')?.maxNodes).toBeUndefined();
    expect(p.shapes).toEqual([{ id: 'web', count: 140, cpuMillis: 500, memoryMib: 1024, spotAllowed: true }]);
  });

  it('keeps a workload off spot types whose node would hold more of its pods than its budget lets go', () => {
    const ps = pools([
      { zone: 'us-east-1a' },
      { type: 'm5.4xlarge', zone: 'us-east-1c', vcpu: 16, memoryGib: 64, price: 0.28, onDemand: 0.768 },
    ]);
    const p = planProblem({
      nowMs: T0,
      pools: ps,
      workloads: [web],
      policies: decisionPolicies({ headroomShare: 0 }),
      nodeOverhead: OVERHEAD,
    });
    // 10% of 70 replicas at the minimum: 7 pods; an m5.4xlarge holds 31.
    expect(p.constraints?.forceOnDemand).toEqual([
      { shapeIds: ['web'], instanceTypes: ['m5.4xlarge'], reason: 'PDB-safe node size for web' },
    ]);
  });

  it('weighs each spot pool by its discount against its own on-demand price, as discountPreference says', () => {
    // Same price per pod: c5n at 0.0648 of 0.216 (70% off), c5 at 0.068 of 0.17 (60% off).
    const ps = pools([
      { type: 'c5n.xlarge', zone: 'us-east-1a', memoryGib: 10.5, price: 0.0648, onDemand: 0.216 },
      { type: 'c5.xlarge', zone: 'us-east-1b', memoryGib: 8, price: 0.0648, onDemand: 0.17 },
    ]);
    const plan = (discountPreference: number) =>
      planProblem({ nowMs: T0, pools: ps, workloads: [web], policies: decisionPolicies({ discountPreference }), nodeOverhead: OVERHEAD });
    const cost = (p: ReturnType<typeof plan>, type: string) =>
      p.pools.find((x) => x.instanceType === type)?.expectedCostPerHour ?? Number.NaN;
    const dollars = plan(0);
    // Equal prices and equal "<5%" priors: equal expected costs when only dollars count.
    expect(cost(dollars, 'c5n.xlarge')).toBeCloseTo(cost(dollars, 'c5.xlarge'), 9);
    const weighed = plan(0.75);
    // expected × (1 − 0.75 × discount): 1 − 0.525 = 0.475 for c5n, 1 − 0.75 × 0.6188 = 0.5359 for c5.
    expect(cost(weighed, 'c5n.xlarge')).toBeCloseTo(cost(dollars, 'c5n.xlarge') * 0.475, 9);
    expect(cost(weighed, 'c5.xlarge')).toBeCloseTo(cost(dollars, 'c5.xlarge') * (1 - 0.75 * (1 - 0.0648 / 0.17)), 9);
    expect(cost(weighed, 'c5n.xlarge')).toBeLessThan(cost(weighed, 'c5.xlarge'));
  });

  it('rankCost leaves on-demand pools and a zero preference at their expected cost', () => {
    expect(rankCost(0.1, 0.08, 0.2, true, 0.75)).toBeCloseTo(0.1 * (1 - 0.75 * 0.6), 12);
    expect(rankCost(0.1, 0.08, 0.2, true, 0)).toBe(0.1);
    expect(rankCost(0.2, 0.2, 0.2, false, 0.75)).toBe(0.2);
    // A spot price above on-demand counts as no discount, never a penalty below zero.
    expect(rankCost(0.3, 0.25, 0.2, true, 0.75)).toBe(0.3);
  });
});
