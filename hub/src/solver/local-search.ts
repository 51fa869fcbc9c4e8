import { type Bin, emptyBin, fillBin } from './bin-packing.ts';
import { repairCounts } from './constraint-repair.ts';
import { indexPlanOf, packPods } from './ffd-heuristic.ts';
import type { PodShape, Pool } from './placement-problem.ts';
import { expectedCost, type IndexPlan, planViolations } from './plan-check.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * Improves a valid plan in two stages, keeping a change only if the plan, after
 * repairCounts(), still passes every rule and costs less:
 *  1. consolidation, as a cluster autoscaler would: for each node, largest idle cost
 *     first, remove it (its pods moved to room left on other nodes) or replace it (all its
 *     pods on one new node of a cheaper pool); repeated until a pass changes nothing;
 *  2. large neighbourhood search for the rest of the time: take a few nodes out (the
 *     emptiest, or several of one pool), and pack their pods again into the room left on
 *     the other nodes, fullest first, then onto new nodes of the pools cheapest for them.
 *     Freeing one node often needs pods on several to shift, which single moves cannot do.
 * Stops after a fixed number of rounds, at the time limit, or once the cost is at most
 * `goodEnough` (e.g. within the gap target of a proven bound). Random choices come from a
 * fixed seed, so runs that do not hit the time limit repeat exactly.
 */
export function improvePlan(
  prep: PreparedProblem,
  start: IndexPlan & { bins: Bin[] },
  options: { timeLimitSeconds: number; goodEnough?: number; seed?: number /** Rounds of stage 2; default 300. */; rounds?: number },
): IndexPlan & { bins: Bin[] } {
  const t0 = performance.now();
  const timeUp = () => (performance.now() - t0) / 1000 > options.timeLimitSeconds;
  const goodEnough = options.goodEnough ?? Number.NEGATIVE_INFINITY;
  let bins = start.bins.map(copyBin);
  let cost = expectedCost(prep, start.nodes);
  let fill = fillScore(prep, bins);
  /** Keeps a candidate that costs less or, at the same cost, packs tighter (Σ fill², which favours nearly empty nodes that the next step can remove). */
  const accept = (candidate: Bin[]): boolean => {
    repairCounts(prep, candidate);
    const plan = indexPlanOf(prep, candidate);
    const c = expectedCost(prep, plan.nodes);
    if (c > cost + 1e-9) return false;
    const f = fillScore(prep, candidate);
    if (c > cost - 1e-9 && f <= fill + 1e-9) return false;
    if (planViolations(prep, plan).length > 0) return false;
    const cheaper = c < cost - 1e-9;
    bins = candidate;
    cost = c;
    fill = f;
    return cheaper;
  };
  const price = (b: Bin) => (prep.pools[b.pool] as Pool).expectedCostPerHour;
  for (let improved = true; improved && cost > goodEnough; ) {
    improved = false;
    const order = bins.map((b, i) => [i, price(b) * (1 - used(prep, b))] as const).sort((a, b) => b[1] - a[1]);
    for (const [i] of order) {
      if (timeUp()) return indexPlanOf(prep, bins);
      const candidates = [withoutBin(prep, bins, i), withReplacement(prep, bins, i)];
      if (candidates.some((c) => c !== null && accept(c))) {
        improved = true;
        break;
      }
    }
  }
  const rand = random(options.seed ?? 1);
  const rounds = options.rounds ?? RUIN_AND_RECREATE_ROUNDS;
  for (let i = 0; i < rounds && cost > goodEnough && !timeUp(); i++) accept(ruinAndRecreate(prep, bins, rand));
  return indexPlanOf(prep, bins);
}

/** Default rounds of large neighbourhood search: a fixed number, so that a fast machine gets the same plan every time. */
const RUIN_AND_RECREATE_ROUNDS = 300;

/** Removes 1–4 nodes (the emptiest, or from one pool) and packs their pods again. */
function ruinAndRecreate(prep: PreparedProblem, bins: Bin[], rand: () => number): Bin[] {
  const out = bins.map(copyBin);
  const k = 1 + Math.floor(rand() * 4);
  let chosen: number[];
  if (rand() < 0.5) {
    // Among the 3k emptiest nodes, k at random.
    const byUse = out.map((b, i) => [i, used(prep, b)] as const).sort((a, b) => a[1] - b[1]);
    chosen = shuffle(
      byUse.slice(0, 3 * k).map(([i]) => i),
      rand,
    ).slice(0, k);
  } else {
    // k nodes of the pool of a random node.
    const pool = out[Math.floor(rand() * out.length)]?.pool;
    chosen = shuffle(
      out.flatMap((b, i) => (b.pool === pool ? [i] : [])),
      rand,
    ).slice(0, k);
  }
  const pods = prep.shapes.map(() => 0);
  const drop = new Set(chosen);
  for (const i of drop) for (const [s, n] of (out[i] as Bin).pods) pods[s] = (pods[s] as number) + n;
  const kept = out.filter((_, i) => !drop.has(i)).sort((a, b) => used(prep, b) - used(prep, a));
  packPods(prep, kept, pods);
  return kept;
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

/** mulberry32: a small seeded generator, so a search repeats exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fleet without node i, its pods moved to room on other nodes; null when they do not all fit. */
function withoutBin(prep: PreparedProblem, bins: Bin[], i: number): Bin[] | null {
  const out = bins.map(copyBin);
  const [gone] = out.splice(i, 1) as [Bin];
  for (const [s, k] of gone.pods) {
    let left = k;
    const shape = prep.shapes[s] as PodShape;
    for (const b of out) {
      if (left === 0) break;
      if ((prep.perNode[s]?.[b.pool] ?? 0) > 0) left -= fillBin(b, s, shape, left);
    }
    if (left > 0) return null;
  }
  return out;
}

/** The fleet with node i's pods on one new node of the cheapest cheaper pool that takes them all; null when none. */
function withReplacement(prep: PreparedProblem, bins: Bin[], i: number): Bin[] | null {
  const old = bins[i] as Bin;
  if (old.pods.size === 0) return null;
  const limit = (prep.pools[old.pool] as Pool).expectedCostPerHour;
  let best: Bin | null = null;
  prep.pools.forEach((pool, q) => {
    if (
      q === old.pool ||
      pool.expectedCostPerHour >= limit ||
      (best && pool.expectedCostPerHour >= (prep.pools[best.pool] as Pool).expectedCostPerHour)
    )
      return;
    const bin = emptyBin(prep, q);
    for (const [s, k] of old.pods) {
      if ((prep.perNode[s]?.[q] ?? 0) === 0 || fillBin(bin, s, prep.shapes[s] as PodShape, k) < k) return;
    }
    best = bin;
  });
  if (!best) return null;
  const out = bins.map(copyBin);
  out.splice(i, 1, best);
  return out;
}

/** Σ over nodes of the squared share taken: higher when the same pods sit on fewer, fuller nodes. */
function fillScore(prep: PreparedProblem, bins: readonly Bin[]): number {
  let total = 0;
  for (const b of bins) total += used(prep, b) ** 2;
  return total;
}

/** The larger of the CPU and memory shares a node's pods take. */
function used(prep: PreparedProblem, b: Bin): number {
  const cap = prep.capCpu[b.pool] as number;
  const mem = prep.capMem[b.pool] as number;
  return Math.max(cap > 0 ? 1 - b.cpu / cap : 1, mem > 0 ? 1 - b.mem / mem : 1);
}

function copyBin(b: Bin): Bin {
  return { ...b, pods: new Map(b.pods) };
}
