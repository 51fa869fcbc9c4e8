/**
 * Test-only (imported by catalog tests, never by production code), as scoring's
 * test-builders.ts: the catalog is new and testkit does not know it yet.
 */
import { CloudError } from '../cloud/cloud-error.ts';
import type { InstanceTypeInfo, SpotPrice, SpotPriceQuery, Zone } from '../cloud/cloud-types.ts';
import type { CatalogCloud } from './catalog-types.ts';

export function typeInfo(instanceType: string, over: Partial<InstanceTypeInfo> = {}): InstanceTypeInfo {
  return {
    instanceType,
    vcpu: 2,
    memoryMib: 8192,
    architectures: ['x86_64'],
    gpuCount: 0,
    currentGeneration: true,
    supportsSpot: true,
    supportsOnDemand: true,
    bareMetal: false,
    ...over,
  };
}

/**
 * An in-memory CatalogCloud for schedule and conversion tests: answers from fixed lists,
 * records every query, and fails while `failing` names the method.
 */
export class FakeCatalogCloud implements CatalogCloud {
  types: InstanceTypeInfo[] = [typeInfo('m5.large'), typeInfo('m6g.large', { architectures: ['arm64'] })];
  zones: Zone[] = [
    { name: 'us-east-1a', zoneId: 'use1-az1', state: 'available' },
    { name: 'us-east-1b', zoneId: 'use1-az2', state: 'available' },
  ];
  prices: SpotPrice[] = [];
  readonly spotQueries: SpotPriceQuery[] = [];
  typeCalls = 0;
  failing = new Set<'types' | 'zones' | 'spot'>();

  private fail(what: 'types' | 'zones' | 'spot'): void {
    if (this.failing.has(what)) throw new CloudError('unavailable', `${what}: unavailable: injected`, { operation: what });
  }

  async describeInstanceTypes(): Promise<InstanceTypeInfo[]> {
    this.typeCalls++;
    this.fail('types');
    return this.types;
  }

  async describeAvailabilityZones(): Promise<Zone[]> {
    this.fail('zones');
    return this.zones;
  }

  /** Like EC2: the points inside the window plus each pool's point in effect at its start. */
  async describeSpotPriceHistory(query: SpotPriceQuery): Promise<SpotPrice[]> {
    this.spotQueries.push(query);
    this.fail('spot');
    const end = query.endMs ?? Number.POSITIVE_INFINITY;
    const inScope = this.prices.filter(
      (p) => (!query.instanceTypes || query.instanceTypes.includes(p.instanceType)) && (!query.zones || query.zones.includes(p.zone)),
    );
    const out: SpotPrice[] = [];
    for (const pool of new Set(inScope.map((p) => `${p.instanceType}|${p.zone}`))) {
      const points = inScope.filter((p) => `${p.instanceType}|${p.zone}` === pool).sort((a, b) => a.timeMs - b.timeMs);
      const before = points.filter((p) => p.timeMs <= query.startMs).pop();
      out.push(...(before ? [before] : []), ...points.filter((p) => p.timeMs > query.startMs && p.timeMs <= end));
    }
    return out;
  }
}
