/**
 * The solver benchmark's problem, built from the real data in ../shared/data (read by
 * path): 50 pools from the instance catalog (sizes, on-demand prices), the spot price
 * history (the instmgr2024 snapshot, the only source with Graviton and 6th/7th-generation
 * types: the latest price per pool) and the Spot Advisor (interruption buckets, for the
 * expected cost of interruptions); and a seeded mix of deployments (web, API, batch,
 * memory-heavy, stateful, arm-only) whose pods are aggregated into shapes.
 */
import { type InstanceCatalog, loadCatalog, loadSpotAdvisor, PriceHistory, Rng, type SpotAdvisor } from '@ballast/sim';
import { type PlacementProblem, type Pool, poolId } from '../hub/src/solver/placement-problem.ts';
import { aggregatePods, type PodSpec } from '../hub/src/solver/pod-shapes.ts';

/** Spot pools: 12 types × the first 3 zones with prices = 36. */
const SPOT_TYPES = [
  'm5.xlarge',
  'm6i.xlarge',
  'm6i.2xlarge',
  'm5a.2xlarge',
  'c5.2xlarge',
  'c6i.2xlarge',
  'c6a.xlarge',
  'r5.xlarge',
  'r6i.2xlarge',
  'm6g.xlarge',
  'c6g.2xlarge',
  'r6g.xlarge',
];
/** On-demand pools: type → zones (14). */
const ON_DEMAND: Array<[string, number]> = [
  ['m6i.xlarge', 3],
  ['m6i.2xlarge', 3],
  ['c6i.2xlarge', 3],
  ['r6i.2xlarge', 3],
  ['m6g.xlarge', 2],
];
/**
 * What one interruption costs beyond the node's price: the replacement's boot, pods
 * restarted and re-warmed, retried work. A round figure; the scoring model will own it.
 */
export const INTERRUPTION_COST_USD = 10;
const HOURS_PER_MONTH = 730;

export interface BenchProblem {
  problem: PlacementProblem;
  pods: number;
  deployments: number;
  priceAt: string;
  advisorSnapshot: string | null;
}

export interface BenchData {
  catalog: InstanceCatalog;
  advisor: SpotAdvisor;
  prices: PriceHistory;
}

/** Reads the catalog, the Spot Advisor and the instmgr2024 price snapshots from the data folder. */
export function loadBenchData(dataDir: URL): BenchData {
  return {
    catalog: loadCatalog(new URL('instance_types.csv', dataDir)),
    advisor: loadSpotAdvisor(new URL('spot_advisor.csv', dataDir)),
    prices: PriceHistory.load(new URL('spot_price_history.csv', dataDir), { sourceId: 'instmgr2024' }),
  };
}

export function benchProblem(data: BenchData, seed: number, podCount: number): BenchProblem {
  const { catalog, advisor, prices } = data;
  const at = prices.span()?.lastMs ?? Date.now();
  const zonesOf = (type: string) =>
    prices
      .pools()
      .filter((p) => p.instanceType === type)
      .map((p) => p.availabilityZone)
      .sort();
  const pools: Pool[] = [];
  const base = (type: string) => {
    const t = catalog.get(type);
    if (!t || t.onDemandUsdPerHour === null) throw new Error(`bench: ${type} has no catalog row or price`);
    return {
      instanceType: type,
      family: t.family,
      vcpu: t.vcpu,
      memoryMib: Math.round(t.memoryGib * 1024),
      arch: t.architecture,
      od: t.onDemandUsdPerHour,
    };
  };
  for (const type of SPOT_TYPES) {
    const b = base(type);
    const hourlyRisk = advisor.monthlyInterruptionProbability(type) / HOURS_PER_MONTH;
    for (const zone of zonesOf(type).slice(0, 3)) {
      const price = prices.priceAt(type, zone, at) as number;
      const { od: _, ...spec } = b;
      pools.push({
        id: poolId(type, zone, 'spot'),
        ...spec,
        zone,
        capacityType: 'spot',
        pricePerHour: price,
        expectedCostPerHour: price + hourlyRisk * INTERRUPTION_COST_USD,
      });
    }
  }
  for (const [type, zoneCount] of ON_DEMAND) {
    const { od, ...spec } = base(type);
    for (const zone of zonesOf(type).slice(0, zoneCount)) {
      pools.push({
        id: poolId(type, zone, 'on-demand'),
        ...spec,
        zone,
        capacityType: 'on-demand',
        pricePerHour: od,
        expectedCostPerHour: od,
      });
    }
  }

  const { pods, deployments } = podMix(new Rng(seed), podCount);
  const shapes = aggregatePods(pods);
  const families = [...new Set(pools.map((p) => p.family as string))].filter((f) => f !== 'm5a');
  // The current fleet: 48 m5.xlarge spot nodes over three zones, of which 24 may be replaced now.
  const legacy = pools.filter((p) => p.instanceType === 'm5.xlarge' && p.capacityType === 'spot');
  const problem: PlacementProblem = {
    pools,
    shapes,
    constraints: {
      allowedFamilies: families, // cluster policy: no AMD m5a
      maxPoolShare: 0.25,
      minOnDemandShare: 0.2,
      forceOnDemand: [{ instanceTypes: ['c5.2xlarge'], reason: 'interruption risk above threshold' }],
      azSpread: { minZones: 3, maxZoneShare: 0.45 },
      disruption: { currentNodes: Object.fromEntries(legacy.map((p) => [p.id, 16])), maxReplacements: 24 },
      nodeOverhead: { cpuMillis: 200, memoryMib: 1024 },
    },
  };
  return { problem, pods: pods.length, deployments, priceAt: new Date(at).toISOString(), advisorSnapshot: advisor.snapshot };
}

interface Kind {
  share: number;
  cpu: number[];
  mem: number[];
  deployments: number;
  restrict: (rng: Rng) => Partial<PodSpec>;
}

const SPOT_TAINT_FREE = {}; // no spot taint in this cluster: pods opt out with a capacity-type selector
const KINDS: Kind[] = [
  { share: 0.45, cpu: [100, 250, 500], mem: [256, 512, 1024], deployments: 18, restrict: () => SPOT_TAINT_FREE },
  {
    share: 0.2,
    cpu: [500, 1000],
    mem: [1024, 2048],
    deployments: 8,
    restrict: () => ({ nodeSelector: { 'kubernetes.io/arch': 'amd64' } }),
  },
  {
    share: 0.15,
    cpu: [2000, 4000],
    mem: [2048, 4096],
    deployments: 5,
    restrict: () => ({ nodeAffinityIn: { 'karpenter.k8s.aws/instance-family': ['c5', 'c6i', 'c6a', 'c6g'] } }),
  },
  {
    share: 0.1,
    cpu: [500, 1000],
    mem: [8192, 12288],
    deployments: 6,
    restrict: (rng) => ({
      nodeAffinityIn: { 'karpenter.k8s.aws/instance-family': ['r5', 'r6i', 'r6g'] },
      ...(rng.next() < 0.5 ? { nodeSelector: { 'karpenter.sh/capacity-type': 'on-demand' } } : {}),
    }),
  },
  {
    share: 0.05,
    cpu: [2000],
    mem: [8192],
    deployments: 3,
    restrict: () => ({ nodeSelector: { 'kubernetes.io/arch': 'amd64', 'karpenter.sh/capacity-type': 'on-demand' } }),
  },
  { share: 0.05, cpu: [1000], mem: [2048], deployments: 3, restrict: () => ({ nodeSelector: { 'kubernetes.io/arch': 'arm64' } }) },
];

/** Deployments of each kind with seeded sizes and replica counts, summing to exactly `total` pods. */
function podMix(rng: Rng, total: number): { pods: PodSpec[]; deployments: number } {
  const pods: PodSpec[] = [];
  let deployments = 0;
  KINDS.forEach((kind, k) => {
    const target = k === KINDS.length - 1 ? total - pods.length : Math.round(kind.share * total);
    const weights = Array.from({ length: kind.deployments }, () => 0.5 + rng.next());
    const sum = weights.reduce((a, b) => a + b, 0);
    let left = target;
    weights.forEach((w, i) => {
      const replicas = i === weights.length - 1 ? left : Math.min(left, Math.max(1, Math.round((w / sum) * target)));
      left -= replicas;
      const spec: PodSpec = { cpuMillis: rng.pick(kind.cpu), memoryMib: rng.pick(kind.mem), ...kind.restrict(rng) };
      for (let r = 0; r < replicas; r++) pods.push(spec);
      deployments++;
    });
  });
  return { pods, deployments };
}
