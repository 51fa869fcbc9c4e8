/**
 * Builders with overrides for the scoring tests. Test-only (imported by *.test.ts next to
 * it, never by production code); it lives here rather than in testkit/ while scoring is new.
 */
import type { PoolObservations, PoolOffering, PoolScoringInput, WorkloadShape } from './pool-inputs.ts';
import { DEFAULT_MODEL, type ScoringModel } from './scoring-model.ts';

export const HOUR_MS = 3_600_000;
export const T0 = Date.UTC(2021, 3, 1);

export function offering(overrides: Partial<PoolOffering> = {}): PoolOffering {
  return {
    instanceType: 'm5.large',
    zone: 'us-east-1a',
    capacityType: 'spot',
    vcpu: 2,
    memoryGib: 8,
    pricePerHour: 0.04,
    onDemandPricePerHour: 0.096,
    ...overrides,
  };
}

export function observations(overrides: Partial<PoolObservations> = {}): PoolObservations {
  return {
    advisorBucket: '<5%',
    instanceHours: 0,
    interruptions: 0,
    rebalanceRecommendations: 0,
    priceHistory: [],
    launchFailuresMs: [],
    ...overrides,
  };
}

export function pool(o: Partial<PoolOffering> = {}, obs: Partial<PoolObservations> = {}): PoolScoringInput {
  return { offering: offering(o), observations: observations(obs) };
}

export function shape(overrides: Partial<WorkloadShape> = {}): WorkloadShape {
  return { id: 'web', count: 4, cpuMillis: 500, memoryMib: 1024, ...overrides };
}

/** DEFAULT_MODEL with some parameters replaced (deep-merged one level into each group). */
export function modelWith(overrides: {
  weights?: Partial<ScoringModel['weights']>;
  cost?: Partial<ScoringModel['parameters']['cost']>;
  stability?: Partial<ScoringModel['parameters']['stability']>;
  performance?: Partial<ScoringModel['parameters']['performance']>;
  capacity?: Partial<ScoringModel['parameters']['capacity']>;
  thresholds?: Partial<ScoringModel['parameters']['thresholds']>;
}): ScoringModel {
  const p = DEFAULT_MODEL.parameters;
  return {
    ...DEFAULT_MODEL,
    weights: { ...DEFAULT_MODEL.weights, ...overrides.weights },
    parameters: {
      cost: { ...p.cost, ...overrides.cost },
      stability: { ...p.stability, ...overrides.stability },
      performance: { ...p.performance, ...overrides.performance },
      capacity: { ...p.capacity, ...overrides.capacity },
      thresholds: { ...p.thresholds, ...overrides.thresholds },
    },
  };
}

/**
 * Stability parameters whose prior is Gamma(1, 730): the unknown bucket's monthly
 * probability 1 − e⁻¹ gives λ₀ = 1/730 per hour, and a strength of 730 h gives α₀ = 1, so
 * quantiles are exponential ones and can be worked out by hand.
 */
export const EXPONENTIAL_PRIOR = {
  unknownBucketMonthlyProbability: 1 - Math.exp(-1),
  priorStrengthInstanceHours: 730,
} as const;
