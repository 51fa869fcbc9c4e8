import { type Bin, packPool } from './bin-packing.ts';
import type { NodeLayout, PlacementPlan } from './placement-plan.ts';
import type { PodShape, Pool } from './placement-problem.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * A plan in index form: nodes[p] per pool, x[s][p] pods of shape s on pool p, and
 * optionally the packing that shows it schedulable (which pods go on which node).
 */
export interface IndexPlan {
  nodes: number[];
  x: number[][];
  bins?: Bin[];
}

const EPS = 1e-9;

/**
 * Every constraint the plan breaks, one line each starting with the constraint's name
 * (demand, eligibility, capacity, max nodes, pool share, on-demand floor, on-demand nodes,
 * zone share, min zones, disruption budget). Empty means the plan is valid. Capacity is
 * checked node by node: on the plan's own packing when it has one (each node's pods
 * within its room, the packing matching the counts), else by first-fit-decreasing per
 * pool (which may need more nodes than the best packing, so it can reject a valid plan).
 */
export function planViolations(prep: PreparedProblem, plan: IndexPlan): string[] {
  const out: string[] = [];
  const { pools, shapes } = prep;
  const poolName = (p: number) => (pools[p] as Pool).id;
  const total = sum(plan.nodes);
  plan.nodes.forEach((n, p) => {
    if (!Number.isInteger(n) || n < 0) out.push(`integrality: pool ${poolName(p)} has ${n} nodes`);
  });
  shapes.forEach((shape, s) => {
    const row = plan.x[s] as number[];
    const placed = sum(row);
    if (placed !== shape.count) out.push(`demand: shape ${shape.id} has ${placed} of ${shape.count} pods placed`);
    row.forEach((n, p) => {
      if (n === 0) return;
      if (!Number.isInteger(n) || n < 0) out.push(`integrality: shape ${shape.id} has ${n} pods on pool ${poolName(p)}`);
      if ((prep.perNode[s]?.[p] ?? 0) === 0) out.push(`eligibility: shape ${shape.id} may not use pool ${poolName(p)}`);
    });
  });
  pools.forEach((pool, p) => {
    const n = plan.nodes[p] as number;
    const pods = new Map<number, number>();
    shapes.forEach((_, s) => {
      const k = plan.x[s]?.[p] ?? 0;
      if (k > 0 && (prep.perNode[s]?.[p] ?? 0) > 0) pods.set(s, k);
    });
    if (pods.size > 0 && !plan.bins) {
      const needed = packPool(prep, p, pods).length;
      if (needed > n) out.push(`capacity: pool ${pool.id} has ${n} nodes, its pods need ${needed}`);
    }
    if (n > (prep.maxNodes[p] as number)) out.push(`max nodes: pool ${pool.id} has ${n} nodes, at most ${prep.maxNodes[p]} allowed`);
    const cap = prep.shareCap[p] as number;
    if (cap < 1 && n > cap * total + EPS) out.push(`pool share: pool ${pool.id} holds ${n} of ${total} nodes, cap ${cap}`);
  });
  if (plan.bins) out.push(...packingViolations(prep, plan, plan.bins));
  const onDemand = sum(plan.nodes.filter((_, p) => (pools[p] as Pool).capacityType === 'on-demand'));
  if (onDemand < prep.onDemandFloor * total - EPS)
    out.push(`on-demand floor: ${onDemand} of ${total} nodes on-demand, floor ${prep.onDemandFloor}`);
  if (onDemand < prep.minOnDemandNodes)
    out.push(`on-demand nodes: ${onDemand} on-demand nodes, at least ${prep.minOnDemandNodes} required`);
  const perZone = zoneCounts(prep, plan.nodes);
  perZone.forEach((n, z) => {
    if (prep.maxZoneShare < 1 && n > prep.maxZoneShare * total + EPS) {
      out.push(`zone share: zone ${prep.zones[z]} holds ${n} of ${total} nodes, cap ${prep.maxZoneShare}`);
    }
  });
  const zonesUsed = perZone.filter((n) => n > 0).length;
  if (zonesUsed < prep.minZones) out.push(`min zones: nodes in ${zonesUsed} zones, at least ${prep.minZones} required`);
  const replaced = replacements(prep, plan.nodes);
  if (replaced > prep.maxReplacements) out.push(`disruption budget: ${replaced} nodes replaced, at most ${prep.maxReplacements} allowed`);
  return out;
}

/** The packing holds exactly the plan's nodes and pods, and no node is over its room. */
function packingViolations(prep: PreparedProblem, plan: IndexPlan, bins: readonly Bin[]): string[] {
  const out: string[] = [];
  const nodes = prep.pools.map(() => 0);
  const x = prep.shapes.map(() => prep.pools.map(() => 0));
  for (const bin of bins) {
    nodes[bin.pool] = (nodes[bin.pool] as number) + 1;
    let cpu = 0;
    let mem = 0;
    for (const [s, k] of bin.pods) {
      const shape = prep.shapes[s] as PodShape;
      cpu += k * shape.cpuMillis;
      mem += k * shape.memoryMib;
      (x[s] as number[])[bin.pool] = ((x[s] as number[])[bin.pool] as number) + k;
    }
    if (cpu > (prep.capCpu[bin.pool] as number) + EPS || mem > (prep.capMem[bin.pool] as number) + EPS) {
      out.push(`capacity: a node of pool ${(prep.pools[bin.pool] as Pool).id} holds ${cpu}m CPU / ${mem} MiB, over its room`);
    }
  }
  nodes.forEach((n, p) => {
    if (n !== plan.nodes[p]) out.push(`capacity: pool ${(prep.pools[p] as Pool).id} packing has ${n} nodes, the plan ${plan.nodes[p]}`);
  });
  x.forEach((row, s) => {
    row.forEach((k, p) => {
      if (k !== plan.x[s]?.[p])
        out.push(
          `capacity: shape ${(prep.shapes[s] as PodShape).id} has ${k} pods packed on pool ${(prep.pools[p] as Pool).id}, the plan ${plan.x[s]?.[p]}`,
        );
    });
  });
  return out;
}

export function zoneCounts(prep: PreparedProblem, nodes: readonly number[]): number[] {
  const out = prep.zones.map(() => 0);
  nodes.forEach((n, p) => {
    const z = prep.zoneOf[p] as number;
    out[z] = (out[z] as number) + n;
  });
  return out;
}

/** Nodes the plan removes from the current fleet. */
export function replacements(prep: PreparedProblem, nodes: readonly number[]): number {
  return sum(prep.current.map((c, p) => Math.max(0, c - (nodes[p] ?? 0))));
}

export function expectedCost(prep: PreparedProblem, nodes: readonly number[]): number {
  return sum(nodes.map((n, p) => n * (prep.pools[p] as Pool).expectedCostPerHour));
}

/** The public form of an index plan (ids instead of indexes, zero entries left out). */
export function toPlacementPlan(prep: PreparedProblem, plan: IndexPlan): PlacementPlan {
  const nodes: Record<string, number> = {};
  plan.nodes.forEach((n, p) => {
    if (n > 0) nodes[(prep.pools[p] as Pool).id] = n;
  });
  const assignments: PlacementPlan['assignments'] = [];
  plan.x.forEach((row, s) => {
    row.forEach((pods, p) => {
      if (pods > 0) assignments.push({ shapeId: (prep.shapes[s] as PodShape).id, poolId: (prep.pools[p] as Pool).id, pods });
    });
  });
  return {
    nodes,
    assignments,
    layouts: layoutsOf(prep, plan.bins ?? []),
    nodeCount: sum(plan.nodes),
    expectedCostPerHour: round6(expectedCost(prep, plan.nodes)),
    pricePerHour: round6(sum(plan.nodes.map((n, p) => n * (prep.pools[p] as Pool).pricePerHour))),
    replacements: replacements(prep, plan.nodes),
  };
}

function layoutsOf(prep: PreparedProblem, bins: readonly Bin[]): NodeLayout[] {
  const byKey = new Map<string, NodeLayout>();
  for (const bin of bins) {
    const entries = [...bin.pods].filter(([, k]) => k > 0).sort((a, b) => a[0] - b[0]);
    const key = `${bin.pool}:${entries.map(([s, k]) => `${s}x${k}`).join(',')}`;
    const layout = byKey.get(key);
    if (layout) layout.count++;
    else
      byKey.set(key, {
        poolId: (prep.pools[bin.pool] as Pool).id,
        count: 1,
        pods: Object.fromEntries(entries.map(([s, k]) => [(prep.shapes[s] as PodShape).id, k])),
      });
  }
  return [...byKey.values()];
}

export function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
