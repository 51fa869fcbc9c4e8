/**
 * Builders with overrides for the decision engine's tests. Test-only (imported by *.test.ts
 * next to it, never by production code).
 */
import { type AdvisorBucket, DEFAULT_MODEL, poolIdOf, scorePools } from '../scoring/index.ts';
import type { PlacementPlan } from '../solver/index.ts';
import type { PoolRef } from './decision-types.ts';
import type { EngineInput, NodeSnapshot, PodGroup, PoolState, WorkloadStatus } from './engine-input.ts';

export const T0 = Date.UTC(2021, 2, 10);
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const OVERHEAD = { cpuMillis: 200, memoryMib: 1024 };

export interface PoolSpec {
  type?: string;
  zone?: string;
  capacityType?: 'spot' | 'on-demand';
  vcpu?: number;
  memoryGib?: number;
  price?: number;
  onDemand?: number;
  bucket?: AdvisorBucket | null;
  /** Fleet evidence for the posterior. */
  interruptions?: number;
  instanceHours?: number;
  launchFailuresMs?: number[];
}

export function ref(type: string, zone: string, capacityType: 'spot' | 'on-demand' = 'spot'): PoolRef {
  return { poolId: poolIdOf({ instanceType: type, zone, capacityType }), instanceType: type, zone, capacityType };
}

/** Pools scored together by the default model for a web workload of 500m/1Gi pods. */
export function pools(specs: PoolSpec[], nowMs = T0): PoolState[] {
  const full = specs.map((s) => ({
    type: s.type ?? 'm5.xlarge',
    zone: s.zone ?? 'us-east-1a',
    capacityType: s.capacityType ?? 'spot',
    vcpu: s.vcpu ?? 4,
    memoryGib: s.memoryGib ?? 16,
    onDemand: s.onDemand ?? 0.192,
    price: s.price ?? (s.capacityType === 'on-demand' ? (s.onDemand ?? 0.192) : 0.07),
    bucket: s.bucket === undefined ? ('<5%' as const) : s.bucket,
    interruptions: s.interruptions ?? 0,
    instanceHours: s.instanceHours ?? 0,
    launchFailuresMs: s.launchFailuresMs ?? [],
  }));
  const spot = full.filter((s) => s.capacityType === 'spot');
  const scores = scorePools(
    DEFAULT_MODEL,
    spot.map((s) => ({
      offering: {
        instanceType: s.type,
        zone: s.zone,
        capacityType: 'spot' as const,
        vcpu: s.vcpu,
        memoryGib: s.memoryGib,
        pricePerHour: s.price,
        onDemandPricePerHour: s.onDemand,
      },
      observations: {
        advisorBucket: s.bucket,
        instanceHours: s.instanceHours,
        interruptions: s.interruptions,
        rebalanceRecommendations: 0,
        priceHistory: [],
        launchFailuresMs: s.launchFailuresMs,
      },
    })),
    { shapes: [{ id: 'web', count: 70, cpuMillis: 500, memoryMib: 1024 }], nodeOverhead: OVERHEAD },
    nowMs,
  );
  const byId = new Map(scores.map((s) => [s.poolId, s]));
  return full.map((s) => {
    const r = ref(s.type, s.zone, s.capacityType);
    return {
      pool: r,
      vcpu: s.vcpu,
      memoryMib: s.memoryGib * 1024,
      pricePerHour: s.price,
      onDemandPricePerHour: s.onDemand,
      score: byId.get(r.poolId) ?? null,
    };
  });
}

export function web(count: number): PodGroup {
  return { workload: 'web', count, cpuMillis: 500, memoryMib: 1024 };
}

export function node(id: string, pool: PoolRef, overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    id,
    pool,
    pricePerHour: pool.capacityType === 'spot' ? 0.07 : 0.192,
    onDemandPricePerHour: 0.192,
    launchedAtMs: T0 - 24 * HOUR_MS,
    ready: true,
    disrupting: false,
    interruptionNoticeAtMs: null,
    rebalanceAtMs: null,
    scheduledEventAtMs: null,
    allocatable: { cpuMillis: 3800, memoryMib: 15 * 1024 },
    pods: [web(7)],
    ...overrides,
  };
}

export function webWorkload(overrides: Partial<WorkloadStatus> = {}): WorkloadStatus {
  return { name: 'web', desired: 70, healthy: 70, pdb: { maxUnavailable: '10%' }, spotAllowed: true, ...overrides };
}

export function input(overrides: Partial<EngineInput> = {}): EngineInput {
  return {
    nowMs: T0,
    nodes: [],
    workloads: [webWorkload()],
    pending: [],
    pools: pools([{ zone: 'us-east-1a' }, { zone: 'us-east-1b' }, { zone: 'us-east-1a', capacityType: 'on-demand' }]),
    plan: null,
    nodeOverhead: OVERHEAD,
    ...overrides,
  };
}

export function plan(nodes: Record<string, number>, solvedAtMs = T0): { plan: PlacementPlan; solvedAtMs: number } {
  const nodeCount = Object.values(nodes).reduce((a, b) => a + b, 0);
  return {
    solvedAtMs,
    plan: { nodes, assignments: [], layouts: [], nodeCount, expectedCostPerHour: 0, pricePerHour: 0, replacements: 0 },
  };
}
