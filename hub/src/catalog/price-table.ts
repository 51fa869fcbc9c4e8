import type { Catalog } from './catalog.ts';
import type { CatalogPrice } from './catalog-types.ts';

export interface PriceRow {
  instanceType: string;
  /** Null for on-demand prices, which are per type, not per zone. */
  zone: string | null;
  capacityType: 'spot' | 'on-demand';
  price: CatalogPrice;
  /** now − price.observedAt. */
  ageMs: number;
}

/**
 * Every price the catalog holds with its age, for the API and the pipeline-status page:
 * spot per pool, on-demand per type (only types the catalog lists), sorted by type.
 */
export function priceTable(catalog: Pick<Catalog, 'now' | 'instanceTypes' | 'spotPools' | 'spotPrice' | 'onDemandPrice'>): PriceRow[] {
  const now = catalog.now();
  const rows: PriceRow[] = [];
  for (const t of catalog.instanceTypes()) {
    const price = catalog.onDemandPrice(t.instanceType);
    if (price) rows.push({ instanceType: t.instanceType, zone: null, capacityType: 'on-demand', price, ageMs: now - price.observedAt });
  }
  for (const [instanceType, zone] of catalog.spotPools()) {
    const price = catalog.spotPrice(instanceType, zone);
    if (price) rows.push({ instanceType, zone, capacityType: 'spot', price, ageMs: now - price.observedAt });
  }
  return rows.sort(
    (a, b) =>
      a.instanceType.localeCompare(b.instanceType) ||
      a.capacityType.localeCompare(b.capacityType) ||
      (a.zone ?? '').localeCompare(b.zone ?? ''),
  );
}
