import { type Bin, emptyBin } from './bin-packing.ts';
import type { Pool } from './placement-problem.ts';
import type { PreparedProblem } from './prepare-problem.ts';

/**
 * Makes a packed fleet meet the node-count rules a first-fit packing ignores: the
 * disruption budget (a current node the plan dropped comes back, empty), the on-demand
 * floor, per-pool share caps, the zone share cap and the minimum number of zones. Two
 * moves, cheapest first:
 *  - move a new node to a sibling pool (same instance type, so its pods still fit) in
 *    another zone or capacity type, if all its pods may use that pool;
 *  - add an empty node where it helps (more nodes loosen every share cap).
 * A move is only made if the target pool and zone stay within their caps and the
 * on-demand count stays above the floor, so fixes do not undo each other. Nodes of the
 * current fleet never move (that would be a replacement). Changes `bins` in place; rules
 * it cannot meet are left for the plan check to report.
 */
export function repairCounts(prep: PreparedProblem, bins: Bin[]): void {
  const limit = 4 * (bins.length + 50);
  for (let i = 0; i < limit; i++) {
    const s = state(prep, bins);
    // One fix per round (the state changes); a rule nothing can fix does not stop the others.
    if (!FIXES.some((fix) => fix(prep, bins, s) === true)) return;
  }
}

interface FleetState {
  total: number;
  perPool: number[];
  perZone: number[];
  onDemand: number;
}

function state(prep: PreparedProblem, bins: Bin[]): FleetState {
  const perPool = prep.pools.map(() => 0);
  const perZone = prep.zones.map(() => 0);
  let onDemand = 0;
  for (const b of bins) {
    perPool[b.pool] = (perPool[b.pool] as number) + 1;
    const z = prep.zoneOf[b.pool] as number;
    perZone[z] = (perZone[z] as number) + 1;
    if ((prep.pools[b.pool] as Pool).capacityType === 'on-demand') onDemand++;
  }
  return { total: bins.length, perPool, perZone, onDemand };
}

const cost = (prep: PreparedProblem, p: number) => (prep.pools[p] as Pool).expectedCostPerHour;
const isOnDemand = (prep: PreparedProblem, p: number) => (prep.pools[p] as Pool).capacityType === 'on-demand';
const odNeeded = (prep: PreparedProblem, total: number) => Math.max(prep.minOnDemandNodes, Math.ceil(prep.onDemandFloor * total - 1e-9));

/**
 * Whether pool q (and its zone) can take one more node in a fleet of `total` nodes without
 * breaking a cap; `from` is the pool the node leaves (a move within a zone leaves the
 * zone's count as it is).
 */
function roomFor(prep: PreparedProblem, s: FleetState, q: number, total: number, from = -1): boolean {
  const zone = prep.zoneOf[q] as number;
  const zoneGrows = from < 0 || prep.zoneOf[from] !== zone;
  return (
    prep.usable[q] === true &&
    (s.perPool[q] as number) + 1 <= (prep.maxNodes[q] as number) &&
    (s.perPool[q] as number) + 1 <= (prep.shareCap[q] as number) * total + 1e-9 &&
    (!zoneGrows || prep.maxZoneShare >= 1 || (s.perZone[zone] as number) + 1 <= prep.maxZoneShare * total + 1e-9)
  );
}

/** The cheapest move of a non-current node from a pool accepted by `from` to a pool accepted by `to`. */
function bestMove(
  prep: PreparedProblem,
  bins: Bin[],
  s: FleetState,
  from: (p: number) => boolean,
  to: (q: number) => boolean,
): { bin: Bin; q: number } | undefined {
  let best: { bin: Bin; q: number; delta: number } | undefined;
  for (const bin of bins) {
    if (bin.current || !from(bin.pool)) continue;
    const type = (prep.pools[bin.pool] as Pool).instanceType;
    prep.pools.forEach((pool, q) => {
      if (q === bin.pool || pool.instanceType !== type || !to(q) || !roomFor(prep, s, q, s.total, bin.pool)) return;
      // Moving a node out of an on-demand pool into spot must not drop below the floor.
      if (isOnDemand(prep, bin.pool) && !isOnDemand(prep, q) && s.onDemand - 1 < odNeeded(prep, s.total)) return;
      for (const shape of bin.pods.keys()) if ((prep.perNode[shape]?.[q] ?? 0) === 0) return;
      const delta = cost(prep, q) - cost(prep, bin.pool);
      if (!best || delta < best.delta) best = { bin, q, delta };
    });
  }
  return best;
}

/** Adds an empty node to the cheapest pool accepted by `to` that has room once the fleet grows by one. */
function addEmpty(prep: PreparedProblem, bins: Bin[], s: FleetState, to: (q: number) => boolean): boolean {
  let best = -1;
  prep.pools.forEach((_, q) => {
    if (!to(q) || !roomFor(prep, s, q, s.total + 1)) return;
    if (!isOnDemand(prep, q) && s.onDemand < odNeeded(prep, s.total + 1)) return;
    if (best < 0 || cost(prep, q) < cost(prep, best)) best = q;
  });
  if (best < 0) return false;
  bins.push(emptyBin(prep, best));
  return true;
}

function apply(move: { bin: Bin; q: number } | undefined): boolean {
  if (!move) return false;
  move.bin.pool = move.q;
  return true;
}

/** undefined: the rule holds; true: one fix made; false: it is broken and nothing helps. */
type Fix = boolean | undefined;

function fixOnDemand(prep: PreparedProblem, bins: Bin[], s: FleetState): Fix {
  if (s.onDemand >= odNeeded(prep, s.total)) return undefined;
  const od = (p: number) => isOnDemand(prep, p);
  return (
    apply(
      bestMove(
        prep,
        bins,
        s,
        (p) => !od(p),
        (q) => od(q),
      ),
    ) || addEmpty(prep, bins, s, od)
  );
}

function fixPoolShare(prep: PreparedProblem, bins: Bin[], s: FleetState): Fix {
  const over = s.perPool.findIndex((n, p) => n > (prep.shareCap[p] as number) * s.total + 1e-9);
  if (over < 0) return undefined;
  return (
    apply(
      bestMove(
        prep,
        bins,
        s,
        (p) => p === over,
        () => true,
      ),
    ) || addEmpty(prep, bins, s, (q) => q !== over)
  );
}

function fixZoneShare(prep: PreparedProblem, bins: Bin[], s: FleetState): Fix {
  const over = s.perZone.findIndex((n) => n > prep.maxZoneShare * s.total + 1e-9);
  if (over < 0) return undefined;
  const inOther = (q: number) => prep.zoneOf[q] !== over;
  return apply(bestMove(prep, bins, s, (p) => prep.zoneOf[p] === over, inOther)) || addEmpty(prep, bins, s, inOther);
}

/** Too many current nodes gone: bring one back (as an empty node) in the cheapest pool that lost some. */
function fixDisruption(prep: PreparedProblem, bins: Bin[], s: FleetState): Fix {
  let removed = 0;
  prep.current.forEach((c, p) => {
    removed += Math.max(0, c - (s.perPool[p] as number));
  });
  if (removed <= prep.maxReplacements) return undefined;
  const lost = (q: number) => (prep.current[q] as number) > (s.perPool[q] as number);
  let best = -1;
  prep.pools.forEach((_, q) => {
    if (lost(q) && (best < 0 || cost(prep, q) < cost(prep, best))) best = q;
  });
  if (best < 0) return false;
  bins.push(emptyBin(prep, best, true));
  return true;
}

const FIXES = [fixDisruption, fixOnDemand, fixPoolShare, fixZoneShare, fixMinZones];

function fixMinZones(prep: PreparedProblem, bins: Bin[], s: FleetState): Fix {
  const used = s.perZone.filter((n) => n > 0).length;
  if (used >= prep.minZones) return undefined;
  const unused = (q: number) => s.perZone[prep.zoneOf[q] as number] === 0;
  // Only take a node from a zone that keeps at least one, or the move just relocates the gap.
  const spare = (p: number) => (s.perZone[prep.zoneOf[p] as number] as number) > 1;
  return apply(bestMove(prep, bins, s, spare, unused)) || addEmpty(prep, bins, s, unused);
}
