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

/**
 * A seeded synthetic problem of realistic shape for solver tests that need some size:
 * `pools` pools over m5/c5/r5/m6g sizes in three zones (spot, plus on-demand for every
 * fourth), and `pods` pods over 12 deployments of web/API/batch/memory shapes, some
 * arm-only and some not tolerating spot. Prices are made up, in a plausible range.
 */
export function syntheticProblem(o: { pods: number; pools: number; seed?: number }): { pools: Pool[]; shapes: PodShape[] } {
  let state = (o.seed ?? 1) >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const types = [
    { family: 'm5', vcpu: 2, gib: 8, od: 0.096, arch: 'x86_64' as const },
    { family: 'm5', vcpu: 4, gib: 16, od: 0.192, arch: 'x86_64' as const },
    { family: 'c5', vcpu: 4, gib: 8, od: 0.17, arch: 'x86_64' as const },
    { family: 'c5', vcpu: 8, gib: 16, od: 0.34, arch: 'x86_64' as const },
    { family: 'r5', vcpu: 2, gib: 16, od: 0.126, arch: 'x86_64' as const },
    { family: 'r5', vcpu: 4, gib: 32, od: 0.252, arch: 'x86_64' as const },
    { family: 'm6g', vcpu: 4, gib: 16, od: 0.154, arch: 'arm64' as const },
  ];
  const sizes = ['large', 'xlarge', '2xlarge'];
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const pools: Pool[] = [];
  for (let i = 0; pools.length < o.pools; i++) {
    const t = types[i % types.length] as (typeof types)[number];
    const zone = zones[Math.floor(i / types.length) % zones.length] as string;
    const instanceType = `${t.family}.${sizes[Math.log2(t.vcpu / 2)] ?? 'xlarge'}`;
    const onDemand = i % 4 === 3;
    const price = onDemand ? t.od : Math.round(t.od * (0.3 + 0.2 * rand()) * 1e4) / 1e4;
    const pool = aPool({
      instanceType,
      family: t.family,
      zone,
      capacityType: onDemand ? 'on-demand' : 'spot',
      vcpu: t.vcpu,
      memoryMib: t.gib * 1024,
      arch: t.arch,
      pricePerHour: price,
      expectedCostPerHour: onDemand ? price : Math.round(price * (1.02 + 0.1 * rand()) * 1e4) / 1e4,
    });
    if (!pools.some((p) => p.id === pool.id)) pools.push(pool);
    if (i > 10 * o.pools) break;
  }
  const kinds = [
    { cpu: [100, 250, 500], mem: [256, 512, 1024] },
    { cpu: [500, 1000], mem: [1024, 2048] },
    { cpu: [1000, 2000], mem: [2048, 4096] },
    { cpu: [250, 500], mem: [4096, 8192] },
  ];
  const shapes: PodShape[] = [];
  let left = o.pods;
  for (let d = 0; d < 12 && left > 0; d++) {
    const k = kinds[d % kinds.length] as (typeof kinds)[number];
    const count = d === 11 ? left : Math.min(left, Math.max(1, Math.round((o.pods / 12) * (0.5 + rand()))));
    left -= count;
    shapes.push(
      aShape({
        id: `deploy-${d}`,
        count,
        cpuMillis: k.cpu[Math.floor(rand() * k.cpu.length)] as number,
        memoryMib: k.mem[Math.floor(rand() * k.mem.length)] as number,
        spotAllowed: d % 5 !== 4,
        ...(d % 6 === 5 ? { arches: ['arm64' as const] } : {}),
      }),
    );
  }
  return { pools, shapes };
}
