import { describe, expect, it } from 'vitest';
import { podsPerNode, workloadFit } from './shape-fit.ts';
import { shape } from './test-builders.ts';
import { workloadDemand } from './workload-demand.ts';

const m5large = { vcpu: 2, memoryGib: 8 };

describe('workloadFit', () => {
  it('weighs each shape’s leftover by its share of the requests (hand-computed)', () => {
    // A: 2 × 1500m/1024Mi; B: 2 × 500m/2048Mi on 2000m/8192Mi.
    // A: k = min(⌊2000/1500⌋, ⌊8192/1024⌋) = min(1, 8) = 1; u = max(1500/2000, 1024/8192) = 0.75
    // B: k = min(4, 4) = 4; u = max(2000/2000, 8192/8192) = 1
    // requests: 3 + 1 = 4 vCPU, 2 + 4 = 6 GiB; w_A = (3/4 + 2/6)/2 = 0.5416667, w_B = (1/4 + 4/6)/2 = 0.4583333
    // score = 0.5416667 × 0.75 + 0.4583333 × 1 = 0.40625 + 0.4583333 = 0.8645833
    const shapes = [
      shape({ id: 'a', count: 2, cpuMillis: 1500, memoryMib: 1024 }),
      shape({ id: 'b', count: 2, cpuMillis: 500, memoryMib: 2048 }),
    ];
    const fit = workloadFit(shapes, workloadDemand(shapes), m5large, undefined);
    expect(fit.shapes).toEqual([
      { shapeId: 'a', podsPerNode: 1, utilization: 0.75, weight: expect.closeTo(0.5416667, 6) },
      { shapeId: 'b', podsPerNode: 4, utilization: 1, weight: expect.closeTo(0.4583333, 6) },
    ]);
    expect(fit.score).toBeCloseTo(0.8645833, 6);
    expect(fit.unschedulableShare).toBe(0);
  });

  it('counts the node overhead as waste', () => {
    // overhead 100m / 512Mi → 1900m / 7680Mi allocatable; 500m/2048Mi: k = min(3, 3) = 3;
    // u = max(1500/2000, 6144/8192) = 0.75
    const shapes = [shape({ cpuMillis: 500, memoryMib: 2048 })];
    const fit = workloadFit(shapes, workloadDemand(shapes), m5large, { cpuMillis: 100, memoryMib: 512 });
    expect(fit.allocatableCpuMillis).toBe(1900);
    expect(fit.shapes[0]?.podsPerNode).toBe(3);
    expect(fit.score).toBeCloseTo(0.75, 12);
  });

  it('scores shapes that do not fit as 0 and reports their share', () => {
    // big: 1 × 4000m/1024Mi (fits nowhere on 2 vCPU); small: 4 × 500m/1024Mi (k = 4, u = 1)
    // requests: 6 vCPU, 5 GiB; w_big = (4/6 + 1/5)/2 = 0.4333333; w_small = (2/6 + 4/5)/2 = 0.5666667
    const shapes = [shape({ id: 'big', count: 1, cpuMillis: 4000 }), shape({ id: 'small' })];
    const fit = workloadFit(shapes, workloadDemand(shapes), m5large, undefined);
    expect(fit.unschedulableShare).toBeCloseTo(0.4333333, 6);
    expect(fit.score).toBeCloseTo(0.5666667, 6);
  });

  it('fits nothing when the overhead exceeds the node', () => {
    const shapes = [shape()];
    expect(workloadFit(shapes, workloadDemand(shapes), m5large, { cpuMillis: 3000, memoryMib: 0 }).score).toBe(0);
  });

  it('refuses a negative overhead', () => {
    const shapes = [shape()];
    expect(() => workloadFit(shapes, workloadDemand(shapes), m5large, { cpuMillis: -1, memoryMib: 0 })).toThrow(
      expect.objectContaining({ field: 'nodeOverhead.cpuMillis' }),
    );
  });
});

describe('podsPerNode', () => {
  it('takes the tighter resource and tolerates float noise', () => {
    expect(podsPerNode({ cpuMillis: 333.3333333333, memoryMib: 0 }, 1000, 0)).toBe(3);
    expect(podsPerNode({ cpuMillis: 0, memoryMib: 1024 }, 100, 4096)).toBe(4);
  });
});
