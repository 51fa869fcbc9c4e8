import type { PodShape, Pool } from '../../hub/src/solver/placement-problem.ts';

/**
 * Builders for the placement solver's inputs: sensible defaults (an m5.large spot pool in
 * us-east-1a, a 500m/1 GiB web pod) with overrides. A pool's id follows its type, zone
 * and capacity type unless given.
 */
export function aPool(overrides: Partial<Pool> = {}): Pool {
  const base = {
    instanceType: 'm5.large',
    zone: 'us-east-1a',
    capacityType: 'spot' as const,
    vcpu: 2,
    memoryMib: 8192,
    arch: 'x86_64' as const,
    pricePerHour: 0.04,
    ...overrides,
  };
  return {
    ...base,
    id: overrides.id ?? `${base.instanceType}|${base.zone}|${base.capacityType}`,
    expectedCostPerHour: overrides.expectedCostPerHour ?? base.pricePerHour,
  };
}

/** The same pool as on-demand (price and expected cost given, or 2.4× the spot price). */
export function onDemandOf(pool: Pool, pricePerHour = Math.round(pool.pricePerHour * 2.4 * 1e4) / 1e4): Pool {
  return aPool({ ...pool, id: undefined, capacityType: 'on-demand', pricePerHour, expectedCostPerHour: pricePerHour });
}

export function aShape(overrides: Partial<PodShape> = {}): PodShape {
  return { id: 'web', count: 1, cpuMillis: 500, memoryMib: 1024, spotAllowed: true, ...overrides };
}
