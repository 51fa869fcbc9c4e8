import { ARCHES, type PlacementConstraints, type PlacementProblem, type PodShape, type Pool } from './placement-problem.ts';
import { invalidInput } from './solver-error.ts';

/**
 * Checks a placement problem before any solving, so a bad input fails at once with a
 * SolverError (code INVALID_INPUT) whose `field` names the first wrong field, e.g.
 * `pools[3].vcpu` or `constraints.disruption.currentNodes["m5.large|us-east-1a|spot"]`.
 * It checks types, ranges and references (ids that must exist); it does not check
 * feasibility, which the solver reports in its result.
 */
export function validateProblem(problem: PlacementProblem): void {
  if (typeof problem !== 'object' || problem === null) throw invalidInput('problem', 'must be an object');
  if (!Array.isArray(problem.pools) || problem.pools.length === 0) throw invalidInput('pools', 'must be a non-empty array');
  if (!Array.isArray(problem.shapes)) throw invalidInput('shapes', 'must be an array');
  const poolIds = new Set<string>();
  problem.pools.forEach((p, i) => {
    validatePool(p, `pools[${i}]`);
    if (poolIds.has(p.id)) throw invalidInput(`pools[${i}].id`, `duplicate pool id "${p.id}"`);
    poolIds.add(p.id);
  });
  const shapeIds = new Set<string>();
  problem.shapes.forEach((s, i) => {
    validateShape(s, `shapes[${i}]`);
    if (shapeIds.has(s.id)) throw invalidInput(`shapes[${i}].id`, `duplicate shape id "${s.id}"`);
    shapeIds.add(s.id);
  });
  if (problem.constraints !== undefined) validateConstraints(problem.constraints, poolIds, shapeIds);
}

function validatePool(p: Pool, at: string): void {
  if (typeof p !== 'object' || p === null) throw invalidInput(at, 'must be an object');
  nonEmptyString(p.id, `${at}.id`);
  nonEmptyString(p.instanceType, `${at}.instanceType`);
  if (p.family !== undefined) nonEmptyString(p.family, `${at}.family`);
  nonEmptyString(p.zone, `${at}.zone`);
  if (p.capacityType !== 'spot' && p.capacityType !== 'on-demand') {
    throw invalidInput(`${at}.capacityType`, `must be "spot" or "on-demand" (got ${JSON.stringify(p.capacityType)})`);
  }
  if (!ARCHES.includes(p.arch))
    throw invalidInput(`${at}.arch`, `unknown architecture ${JSON.stringify(p.arch)} (known: ${ARCHES.join(', ')})`);
  positive(p.vcpu, `${at}.vcpu`);
  positive(p.memoryMib, `${at}.memoryMib`);
  nonNegative(p.pricePerHour, `${at}.pricePerHour`);
  nonNegative(p.expectedCostPerHour, `${at}.expectedCostPerHour`);
  if (p.maxShare !== undefined) share(p.maxShare, `${at}.maxShare`, false);
  if (p.maxNodes !== undefined) count(p.maxNodes, `${at}.maxNodes`);
}

function validateShape(s: PodShape, at: string): void {
  if (typeof s !== 'object' || s === null) throw invalidInput(at, 'must be an object');
  nonEmptyString(s.id, `${at}.id`);
  count(s.count, `${at}.count`);
  nonNegative(s.cpuMillis, `${at}.cpuMillis`);
  nonNegative(s.memoryMib, `${at}.memoryMib`);
  // A pod without requests takes no capacity: the scheduler puts it anywhere, so it has no place in the model.
  if (s.cpuMillis === 0 && s.memoryMib === 0) throw invalidInput(`${at}.cpuMillis`, 'a shape must request some CPU or memory');
  if (s.arches !== undefined) {
    nonEmptyList(s.arches, `${at}.arches`);
    s.arches.forEach((a, j) => {
      if (!ARCHES.includes(a))
        throw invalidInput(`${at}.arches[${j}]`, `unknown architecture ${JSON.stringify(a)} (known: ${ARCHES.join(', ')})`);
    });
  }
  if (s.instanceFamilies !== undefined) stringList(s.instanceFamilies, `${at}.instanceFamilies`);
  if (s.instanceTypes !== undefined) stringList(s.instanceTypes, `${at}.instanceTypes`);
  if (s.zones !== undefined) stringList(s.zones, `${at}.zones`);
  if (typeof s.spotAllowed !== 'boolean') throw invalidInput(`${at}.spotAllowed`, 'must be a boolean');
  if (s.onDemandAllowed !== undefined && typeof s.onDemandAllowed !== 'boolean')
    throw invalidInput(`${at}.onDemandAllowed`, 'must be a boolean');
  if (!s.spotAllowed && s.onDemandAllowed === false)
    throw invalidInput(`${at}.spotAllowed`, 'a shape must allow spot or on-demand capacity');
}

function validateConstraints(c: PlacementConstraints, poolIds: Set<string>, shapeIds: Set<string>): void {
  const at = 'constraints';
  if (typeof c !== 'object' || c === null) throw invalidInput(at, 'must be an object');
  if (c.allowedArches !== undefined) {
    nonEmptyList(c.allowedArches, `${at}.allowedArches`);
    c.allowedArches.forEach((a, j) => {
      if (!ARCHES.includes(a)) throw invalidInput(`${at}.allowedArches[${j}]`, `unknown architecture ${JSON.stringify(a)}`);
    });
  }
  if (c.allowedFamilies !== undefined) stringList(c.allowedFamilies, `${at}.allowedFamilies`);
  if (c.allowedInstanceTypes !== undefined) stringList(c.allowedInstanceTypes, `${at}.allowedInstanceTypes`);
  if (c.maxPoolShare !== undefined) share(c.maxPoolShare, `${at}.maxPoolShare`, false);
  if (c.minOnDemandShare !== undefined) share(c.minOnDemandShare, `${at}.minOnDemandShare`, true);
  if (c.maxSpotShare !== undefined) share(c.maxSpotShare, `${at}.maxSpotShare`, true);
  if (c.minOnDemandNodes !== undefined) count(c.minOnDemandNodes, `${at}.minOnDemandNodes`);
  if (c.forceOnDemand !== undefined) {
    if (!Array.isArray(c.forceOnDemand)) throw invalidInput(`${at}.forceOnDemand`, 'must be an array');
    c.forceOnDemand.forEach((o, i) => {
      const oat = `${at}.forceOnDemand[${i}]`;
      if (typeof o !== 'object' || o === null) throw invalidInput(oat, 'must be an object');
      if (o.shapeIds !== undefined) {
        stringList(o.shapeIds, `${oat}.shapeIds`);
        o.shapeIds.forEach((id, j) => {
          if (!shapeIds.has(id)) throw invalidInput(`${oat}.shapeIds[${j}]`, `unknown shape "${id}"`);
        });
      }
      if (o.instanceTypes !== undefined) stringList(o.instanceTypes, `${oat}.instanceTypes`);
      if (o.zones !== undefined) stringList(o.zones, `${oat}.zones`);
    });
  }
  if (c.azSpread !== undefined) {
    if (typeof c.azSpread !== 'object' || c.azSpread === null) throw invalidInput(`${at}.azSpread`, 'must be an object');
    if (c.azSpread.minZones !== undefined) count(c.azSpread.minZones, `${at}.azSpread.minZones`);
    if (c.azSpread.maxZoneShare !== undefined) share(c.azSpread.maxZoneShare, `${at}.azSpread.maxZoneShare`, false);
  }
  if (c.disruption !== undefined) {
    const d = c.disruption;
    if (typeof d !== 'object' || d === null) throw invalidInput(`${at}.disruption`, 'must be an object');
    count(d.maxReplacements, `${at}.disruption.maxReplacements`);
    if (typeof d.currentNodes !== 'object' || d.currentNodes === null)
      throw invalidInput(`${at}.disruption.currentNodes`, 'must be an object');
    for (const [id, n] of Object.entries(d.currentNodes)) {
      const field = `${at}.disruption.currentNodes[${JSON.stringify(id)}]`;
      if (!poolIds.has(id)) throw invalidInput(field, `unknown pool "${id}" (the current fleet's pools must be in pools)`);
      count(n, field);
    }
  }
  if (c.nodeOverhead !== undefined) {
    if (typeof c.nodeOverhead !== 'object' || c.nodeOverhead === null) throw invalidInput(`${at}.nodeOverhead`, 'must be an object');
    nonNegative(c.nodeOverhead.cpuMillis, `${at}.nodeOverhead.cpuMillis`);
    nonNegative(c.nodeOverhead.memoryMib, `${at}.nodeOverhead.memoryMib`);
  }
}

function nonEmptyString(v: unknown, field: string): void {
  if (typeof v !== 'string' || v.trim() === '') throw invalidInput(field, `must be a non-empty string (got ${JSON.stringify(v)})`);
}

function finite(v: unknown, field: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidInput(field, `must be a finite number (got ${JSON.stringify(v)})`);
}

function positive(v: unknown, field: string): void {
  finite(v, field);
  if (v <= 0) throw invalidInput(field, `must be > 0 (got ${v})`);
}

function nonNegative(v: unknown, field: string): void {
  finite(v, field);
  if (v < 0) throw invalidInput(field, `must be ≥ 0 (got ${v})`);
}

function count(v: unknown, field: string): void {
  finite(v, field);
  if (v < 0 || !Number.isInteger(v)) throw invalidInput(field, `must be a whole number ≥ 0 (got ${v})`);
}

/** A fraction in (0, 1], or [0, 1] when zero is meaningful (floors). */
function share(v: unknown, field: string, zeroAllowed: boolean): void {
  finite(v, field);
  if (v > 1 || v < 0 || (!zeroAllowed && v === 0))
    throw invalidInput(field, `must be a fraction in ${zeroAllowed ? '[0, 1]' : '(0, 1]'} (got ${v})`);
}

/** An empty allow-list would allow nothing; absent means "any", so an empty one is surely a mistake. */
function nonEmptyList(v: unknown, field: string): void {
  if (!Array.isArray(v) || v.length === 0) throw invalidInput(field, 'must be a non-empty array (leave it out to allow any)');
}

function stringList(v: unknown, field: string): void {
  nonEmptyList(v, field);
  (v as unknown[]).forEach((x, j) => {
    nonEmptyString(x, `${field}[${j}]`);
  });
}
