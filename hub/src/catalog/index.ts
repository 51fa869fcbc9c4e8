export { Catalog } from './catalog.ts';
export { CatalogInputError } from './catalog-error.ts';
export {
  CATALOG_DEFAULTS,
  type CatalogCloud,
  type CatalogInstanceType,
  type CatalogOptions,
  type CatalogPrice,
  type CatalogStatus,
  type OnDemandSource,
} from './catalog-types.ts';
export { loadOnDemandCsv, type OnDemandPriceTable, onDemandFromMap, parseOnDemandCsv } from './on-demand-prices.ts';
export { type PriceRow, priceTable } from './price-table.ts';
export type { RefreshError, RefreshStatus } from './refresh-task.ts';
export {
  type CatalogOfferings,
  type CatalogReader,
  candidateOfferings,
  catalogOfferings,
  type OfferingOptions,
  offeringPriceHistory,
  type SkippedPool,
  solverArch,
  solverPools,
} from './scoring-inputs.ts';
