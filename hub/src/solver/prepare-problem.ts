import { familyOf, type PlacementProblem, type PodShape, type Pool } from './placement-problem.ts';

/**
 * A validated problem turned into index form, with every allow-list, override and fit
 * rule applied once, so the heuristic, the MILP builder and the plan checker read the
 * same answer to "may shape s use pool p?" and "how many pods of s fit on one node of p?".
 */
export interface PreparedProblem {
  pools: Pool[];
  shapes: PodShape[];
  /** Pool may get new nodes and pods (passes the cluster-wide allow-lists and overrides). */
  usable: boolean[];
  /** Per pool: CPU (millicores) and memory (MiB) a node offers pods, after the node overhead. */
  capCpu: number[];
  capMem: number[];
  /** Per shape: the pools it may use and fits on, cheapest expected cost first. */
  eligible: number[][];
  /** perNode[s][p]: pods of shape s that fit on one empty node of pool p (0 when not eligible). */
  perNode: number[][];
  /** Per pool: the most nodes it may hold (maxNodes, or only its current nodes when not usable). */
  maxNodes: number[];
  /** Per pool: the tighter of its own maxShare and maxPoolShare, 1 when uncapped. */
  shareCap: number[];
  /** Fraction of nodes that must be on-demand (the larger of minOnDemandShare and 1 − maxSpotShare). */
  onDemandFloor: number;
  minOnDemandNodes: number;
  zones: string[];
  /** Per pool: index into zones. */
  zoneOf: number[];
  minZones: number;
  maxZoneShare: number;
  /** Per pool: nodes in the current fleet; all zero without a disruption constraint. */
  current: number[];
  /** Nodes that may be removed from the current fleet; Infinity without a disruption constraint. */
  maxReplacements: number;
}

/** Builds the index form of a problem that validateProblem() accepted. */
export function prepareProblem(problem: PlacementProblem): PreparedProblem {
  const { pools, shapes } = problem;
  const c = problem.constraints ?? {};
  const overheadCpu = c.nodeOverhead?.cpuMillis ?? 0;
  const overheadMem = c.nodeOverhead?.memoryMib ?? 0;
  const archOk = c.allowedArches ? new Set(c.allowedArches) : null;
  const familyOk = c.allowedFamilies ? new Set(c.allowedFamilies) : null;
  const typeOk = c.allowedInstanceTypes ? new Set(c.allowedInstanceTypes) : null;
  const overrides = c.forceOnDemand ?? [];
  const shapeIndex = new Map(shapes.map((s, i) => [s.id, i]));

  // forced[s][p]: an override excludes spot pool p for shape s.
  const forced = shapes.map(() => pools.map(() => false));
  const clusterForced = pools.map(() => false);
  for (const o of overrides) {
    const types = o.instanceTypes ? new Set(o.instanceTypes) : null;
    const zones = o.zones ? new Set(o.zones) : null;
    const targets = o.shapeIds ? o.shapeIds.map((id) => shapeIndex.get(id) as number) : shapes.map((_, i) => i);
    pools.forEach((p, j) => {
      if (p.capacityType !== 'spot' || (types && !types.has(p.instanceType)) || (zones && !zones.has(p.zone))) return;
      if (!o.shapeIds) clusterForced[j] = true;
      for (const s of targets) (forced[s] as boolean[])[j] = true;
    });
  }

  const usable = pools.map(
    (p, j) =>
      (!archOk || archOk.has(p.arch)) &&
      (!familyOk || familyOk.has(familyOf(p))) &&
      (!typeOk || typeOk.has(p.instanceType)) &&
      !clusterForced[j] &&
      p.vcpu * 1000 > overheadCpu &&
      p.memoryMib > overheadMem,
  );
  const capCpu = pools.map((p) => Math.max(0, p.vcpu * 1000 - overheadCpu));
  const capMem = pools.map((p) => Math.max(0, p.memoryMib - overheadMem));

  const perNode = shapes.map((s, si) =>
    pools.map((p, j) => {
      if (!usable[j]) return 0;
      if (s.arches && !s.arches.includes(p.arch)) return 0;
      if (s.instanceFamilies && !s.instanceFamilies.includes(familyOf(p))) return 0;
      if (s.instanceTypes && !s.instanceTypes.includes(p.instanceType)) return 0;
      if (s.zones && !s.zones.includes(p.zone)) return 0;
      if (p.capacityType === 'spot' && (!s.spotAllowed || forced[si]?.[j])) return 0;
      if (p.capacityType === 'on-demand' && s.onDemandAllowed === false) return 0;
      return fitCount(s, capCpu[j] as number, capMem[j] as number);
    }),
  );
  const eligible = perNode.map((row) =>
    row
      .map((k, j) => (k > 0 ? j : -1))
      .filter((j) => j >= 0)
      .sort((a, b) => (pools[a] as Pool).expectedCostPerHour - (pools[b] as Pool).expectedCostPerHour || a - b),
  );

  const current = pools.map((p) => c.disruption?.currentNodes[p.id] ?? 0);
  const maxNodes = pools.map((p, j) => (usable[j] ? (p.maxNodes ?? Number.POSITIVE_INFINITY) : (current[j] as number)));
  const shareCap = pools.map((p) => Math.min(1, p.maxShare ?? 1, c.maxPoolShare ?? 1));
  const zones = [...new Set(pools.map((p) => p.zone))].sort();
  const zoneIndex = new Map(zones.map((z, i) => [z, i]));
  return {
    pools,
    shapes,
    usable,
    capCpu,
    capMem,
    eligible,
    perNode,
    maxNodes,
    shareCap,
    onDemandFloor: Math.max(c.minOnDemandShare ?? 0, c.maxSpotShare === undefined ? 0 : 1 - c.maxSpotShare),
    minOnDemandNodes: c.minOnDemandNodes ?? 0,
    zones,
    zoneOf: pools.map((p) => zoneIndex.get(p.zone) as number),
    minZones: c.azSpread?.minZones ?? 0,
    maxZoneShare: c.azSpread?.maxZoneShare ?? 1,
    current,
    maxReplacements: c.disruption ? c.disruption.maxReplacements : Number.POSITIVE_INFINITY,
  };
}

/** Pods of a shape that fit on one empty node with this much room. */
export function fitCount(s: Pick<PodShape, 'cpuMillis' | 'memoryMib'>, cpu: number, mem: number): number {
  const byCpu = s.cpuMillis > 0 ? Math.floor(cpu / s.cpuMillis + 1e-9) : Number.POSITIVE_INFINITY;
  const byMem = s.memoryMib > 0 ? Math.floor(mem / s.memoryMib + 1e-9) : Number.POSITIVE_INFINITY;
  return Math.min(byCpu, byMem);
}
