import { describe, expect, it } from 'vitest';
import { decisionPolicies } from './decision-policies.ts';
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
      policies: decisionPolicies({ headroomShare: 0 }),
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
});
