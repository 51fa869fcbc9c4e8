import { describe, expect, it } from 'vitest';
import { type CandidateRange, candidateRange, costFactor, workloadPricePerHour } from './cost-factor.ts';
import { ScoringError } from './scoring-error.ts';
import { offering, shape } from './test-builders.ts';
import { workloadDemand } from './workload-demand.ts';

const params = { alternativesShare: 0.6 };
// 4 pods × 500m / 1024 Mi → 2 vCPU, 4 GiB requested
const demand = workloadDemand([shape()]);
const c5 = { pricePerHour: 0.035, vcpu: 2, memoryGib: 4 };
const r5 = { pricePerHour: 0.05, vcpu: 2, memoryGib: 16 };
const among = (...candidates: Array<typeof c5>): CandidateRange => candidateRange(candidates, demand);

describe('costFactor', () => {
  it('scores a spot pool against the candidates and its on-demand price (hand-computed)', () => {
    // m5.large spot $0.04: per vCPU-h 0.02, per GiB-h 0.005; workload price max(0.02×2, 0.005×4) = 0.04
    // c5.large $0.035: max(0.0175×2, 0.00875×4) = 0.035 (cheapest); r5.large $0.05: max(0.025×2, 0.003125×4) = 0.05 (dearest)
    // relative = (0.05 − 0.04)/(0.05 − 0.035) = 0.6666667; discount = 1 − 0.04/0.096 = 0.5833333
    // score = 0.6 × 0.6666667 + 0.4 × 0.5833333 = 0.4 + 0.2333333 = 0.6333333
    const f = costFactor(offering(), demand, among(c5, r5), params);
    expect(f.relativeToCandidates).toBeCloseTo(2 / 3, 12);
    expect(f.discountVsOnDemand).toBeCloseTo(0.5833333, 6);
    expect(f.score).toBeCloseTo(0.6333333, 6);
    expect(f.inputs).toMatchObject({
      pricePerHour: 0.04,
      onDemandPricePerHour: 0.096,
      pricePerVcpuHour: 0.02,
      pricePerGibHour: 0.005,
      demand: { vcpu: 2, memoryGib: 4 },
      cheapestWorkloadPricePerHour: 0.035,
      dearestWorkloadPricePerHour: 0.05,
      candidateCount: 2,
    });
    expect(f.inputs.workloadPricePerHour).toBeCloseTo(0.04, 12);
  });

  it('prices the binding resource: a memory-heavy workload pays for memory', () => {
    // 1 vCPU, 16 GiB requested on m5.large ($0.04, 2 vCPU, 8 GiB): max(0.02 × 1, 0.005 × 16) = 0.08
    expect(workloadPricePerHour({ pricePerHour: 0.04, vcpu: 2, memoryGib: 8 }, { vcpu: 1, memoryGib: 16 })).toBeCloseTo(0.08, 12);
  });

  it('gives on-demand pools no discount', () => {
    const f = costFactor(offering({ capacityType: 'on-demand', pricePerHour: 0.096 }), demand, among(c5, r5), params);
    expect(f.discountVsOnDemand).toBe(0);
    // 0.096 is dearer than every candidate: relative 0, score 0
    expect(f.score).toBe(0);
  });

  it('scores a zero price as the cheapest possible', () => {
    const f = costFactor(offering({ pricePerHour: 0 }), demand, among(c5, r5), params);
    expect(f.relativeToCandidates).toBe(1);
    expect(f.discountVsOnDemand).toBe(1);
    expect(f.score).toBe(1);
  });

  it('gives relative 1 when every candidate costs the same (or there are none)', () => {
    expect(costFactor(offering(), demand, among(), params).relativeToCandidates).toBe(1);
    expect(costFactor(offering(), demand, among({ pricePerHour: 0.04, vcpu: 2, memoryGib: 8 }), params).relativeToCandidates).toBe(1);
  });

  it('clamps a spot price above on-demand to no discount', () => {
    expect(costFactor(offering({ pricePerHour: 0.2 }), demand, among(), params).discountVsOnDemand).toBe(0);
  });

  it('refuses a missing on-demand price with a clear error', () => {
    const run = () => costFactor(offering({ onDemandPricePerHour: null }), demand, among(), params);
    expect(run).toThrow(ScoringError);
    expect(run).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'offering.onDemandPricePerHour' }));
    expect(run).toThrow(/no on-demand price for m5\.large/);
  });

  it('refuses a zero on-demand price, a negative price and bad candidates', () => {
    expect(() => costFactor(offering({ onDemandPricePerHour: 0 }), demand, among(), params)).toThrow(
      expect.objectContaining({ field: 'offering.onDemandPricePerHour' }),
    );
    expect(() => costFactor(offering({ pricePerHour: -0.01 }), demand, among(), params)).toThrow(
      expect.objectContaining({ field: 'offering.pricePerHour' }),
    );
    expect(() => costFactor(offering({ vcpu: 0 }), demand, among(), params)).toThrow(expect.objectContaining({ field: 'offering.vcpu' }));
    expect(() => among(c5, { ...r5, vcpu: 0 })).toThrow(expect.objectContaining({ field: 'candidates[1].vcpu' }));
  });
});

describe('candidateRange', () => {
  it('keeps the cheapest and dearest workload price', () => {
    // c5 0.035, r5 0.05 (see above); m5.large on-demand $0.096: max(0.048 × 2, 0.012 × 4) = 0.096
    expect(among(c5, r5, { pricePerHour: 0.096, vcpu: 2, memoryGib: 8 })).toEqual({
      cheapestWorkloadPricePerHour: expect.closeTo(0.035, 12),
      dearestWorkloadPricePerHour: expect.closeTo(0.096, 12),
      candidateCount: 3,
    });
  });
});

describe('workloadDemand', () => {
  it('sums the requests', () => {
    // 4 × 500m = 2 vCPU, 4 × 1024 Mi = 4 GiB; + 1 × 250m, 512 Mi
    expect(workloadDemand([shape(), shape({ id: 'b', count: 1, cpuMillis: 250, memoryMib: 512 })])).toEqual({ vcpu: 2.25, memoryGib: 4.5 });
  });

  it('refuses no shapes, empty shapes and bad counts, naming the field', () => {
    expect(() => workloadDemand([])).toThrow(expect.objectContaining({ field: 'shapes' }));
    expect(() => workloadDemand([shape({ cpuMillis: 0, memoryMib: 0 })])).toThrow(
      expect.objectContaining({ field: 'shapes[0].cpuMillis' }),
    );
    expect(() => workloadDemand([shape({ count: 1.5 })])).toThrow(expect.objectContaining({ field: 'shapes[0].count' }));
    expect(() => workloadDemand([shape({ count: 0 })])).toThrow(expect.objectContaining({ field: 'shapes' }));
    expect(() => workloadDemand([shape({ id: '' })])).toThrow(expect.objectContaining({ field: 'shapes[0].id' }));
  });
});
