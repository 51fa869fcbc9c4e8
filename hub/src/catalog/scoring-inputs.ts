import type { CandidateOffering, CapacityType, PoolOffering, PricePoint } from '../scoring/pool-inputs.ts';
import type { TimeWindow } from '../scoring/scoring-model.ts';
import { type Arch, type Pool, poolId } from '../solver/placement-problem.ts';
import type { Catalog } from './catalog.ts';
import type { CatalogInstanceType } from './catalog-types.ts';

/** What the conversion reads of a catalog (a Catalog, or a stand-in in tests). */
export type CatalogReader = Pick<Catalog, 'now' | 'instanceTypes' | 'zones' | 'spotPrice' | 'onDemandPrice' | 'priceHistory' | 'spotPools'>;

export interface OfferingOptions {
  /** Only these types / zones / capacity types (default: all the catalog has). */
  instanceTypes?: readonly string[];
  zones?: readonly string[];
  capacityTypes?: readonly CapacityType[];
  /** Spot pools whose price was last observed longer ago than this are left out (default: no limit). */
  maxSpotPriceAgeMs?: number;
}

export interface SkippedPool {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  reason: string;
}

export interface CatalogOfferings {
  offerings: PoolOffering[];
  /** Pools the catalog knows but cannot offer, with why: the pipeline page shows them. */
  skipped: SkippedPool[];
}

/**
 * The pools (type × zone × spot|on-demand) the catalog can price, as the scorer takes them.
 * A spot pool needs a spot price; an on-demand pool needs the type's on-demand price.
 * Both need the on-demand price (the scorer refuses a pool without one, since savings are
 * measured against it) and a size. EC2 lists spot prices only where a type is offered, so
 * a type's spot zones are its on-demand zones too; a type with no spot price anywhere is
 * offered on demand in every catalog zone.
 */
export function catalogOfferings(catalog: CatalogReader, options: OfferingOptions = {}): CatalogOfferings {
  const now = catalog.now();
  const typeFilter = options.instanceTypes ? new Set(options.instanceTypes) : undefined;
  const zoneFilter = options.zones ? new Set(options.zones) : undefined;
  const capacityTypes = new Set(options.capacityTypes ?? ['spot', 'on-demand']);
  const spotZones = new Map<string, string[]>();
  for (const [type, zone] of catalog.spotPools()) spotZones.set(type, [...(spotZones.get(type) ?? []), zone]);

  const offerings: PoolOffering[] = [];
  const skipped: SkippedPool[] = [];
  const types = catalog.instanceTypes().filter((t) => !typeFilter || typeFilter.has(t.instanceType));
  for (const t of types.sort((a, b) => a.instanceType.localeCompare(b.instanceType))) {
    const onDemand = catalog.onDemandPrice(t.instanceType)?.pricePerHour ?? null;
    const zones = (spotZones.get(t.instanceType) ?? catalog.zones()).filter((z) => !zoneFilter || zoneFilter.has(z)).sort();
    for (const zone of zones) {
      const base = { instanceType: t.instanceType, zone, vcpu: t.vcpu, memoryGib: t.memoryMib / 1024, onDemandPricePerHour: onDemand };
      const skip = (capacityType: CapacityType, reason: string) =>
        skipped.push({ instanceType: t.instanceType, zone, capacityType, reason });
      if (capacityTypes.has('spot') && t.supportsSpot) {
        const spot = catalog.spotPrice(t.instanceType, zone);
        const problem = whyNot(t, onDemand) ?? (spot ? staleness(now - spot.observedAt, options.maxSpotPriceAgeMs) : 'no spot price');
        if (problem) skip('spot', problem);
        else if (spot) offerings.push({ ...base, capacityType: 'spot', pricePerHour: spot.pricePerHour });
      }
      if (capacityTypes.has('on-demand') && t.supportsOnDemand) {
        const problem = whyNot(t, onDemand);
        if (problem) skip('on-demand', problem);
        else offerings.push({ ...base, capacityType: 'on-demand', pricePerHour: onDemand as number });
      }
    }
  }
  return { offerings, skipped };
}

function whyNot(t: CatalogInstanceType, onDemand: number | null): string | null {
  if (onDemand === null) return 'no on-demand price';
  if (!(t.vcpu > 0 && t.memoryMib > 0)) return 'no vCPU or memory size';
  return null;
}

function staleness(ageMs: number, maxAgeMs: number | undefined): string | null {
  return maxAgeMs !== undefined && ageMs > maxAgeMs ? `spot price last observed ${Math.round(ageMs / 1000)} s ago` : null;
}

/** The spot price history the scorer's volatility factor reads (empty for on-demand pools). */
export function offeringPriceHistory(catalog: CatalogReader, offering: PoolOffering, window: TimeWindow): PricePoint[] {
  if (offering.capacityType !== 'spot') return [];
  return catalog.priceHistory(offering.instanceType, offering.zone, window.fromMs, window.toMs);
}

export function candidateOfferings(offerings: readonly PoolOffering[]): CandidateOffering[] {
  return offerings.map((o) => ({ pricePerHour: o.pricePerHour, vcpu: o.vcpu, memoryGib: o.memoryGib }));
}

/** The solver's architecture for a type: x86_64 or arm64, or null for types it cannot place (i386-only, Mac). */
export function solverArch(type: Pick<CatalogInstanceType, 'architectures'>): Arch | null {
  if (type.architectures.includes('x86_64')) return 'x86_64';
  if (type.architectures.includes('arm64')) return 'arm64';
  return null;
}

/**
 * Solver pools from offerings. `expectedCostPerHour` adds the expected cost of
 * interruptions (from the scorer); without it the objective is the price alone.
 */
export function solverPools(
  catalog: Pick<CatalogReader, 'instanceTypes'>,
  offerings: readonly PoolOffering[],
  expectedCostPerHour: (o: PoolOffering) => number = (o) => o.pricePerHour,
): Pool[] {
  const types = new Map(catalog.instanceTypes().map((t) => [t.instanceType, t]));
  const pools: Pool[] = [];
  for (const o of offerings) {
    const type = types.get(o.instanceType);
    const arch = type ? solverArch(type) : null;
    if (!type || !arch) continue;
    pools.push({
      id: poolId(o.instanceType, o.zone, o.capacityType),
      instanceType: o.instanceType,
      zone: o.zone,
      capacityType: o.capacityType,
      vcpu: o.vcpu,
      memoryMib: type.memoryMib,
      arch,
      pricePerHour: o.pricePerHour,
      expectedCostPerHour: expectedCostPerHour(o),
    });
  }
  return pools;
}
