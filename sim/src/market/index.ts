export {
  type AdvisorBucket,
  type AdvisorEntry,
  type AdvisorSelection,
  BUCKET_MONTHLY_PROBABILITY,
  DEFAULT_MONTHLY_INTERRUPTION_PROBABILITY,
  loadSpotAdvisor,
  parseSpotAdvisorCsv,
  SpotAdvisor,
} from './advisor.ts';
export { CapacityModel, type CapacityOptions, DEFAULT_CAPACITY_OPTIONS } from './capacity.ts';
export {
  type Architecture,
  BUILT_IN_INSTANCE_TYPES,
  InstanceCatalog,
  type InstanceTypeInfo,
  loadCatalog,
  parseCatalogCsv,
} from './catalog.ts';
export { type CsvTable, csvTable, parseCsv } from './csv.ts';
export { InterruptionEngine, type InterruptionEngineOptions, type InterruptionRecord } from './interruption-engine.ts';
export { type PoolKey, PriceHistory, type PriceHistoryFilter, poolKey } from './price-history.ts';
export { type PricePoint, PriceSeries } from './price-series.ts';
export { SpotMarket, type SpotMarketOptions, US_EAST_1_ZONES } from './spot-market.ts';
export { DEFAULT_STOCHASTIC_OPTIONS, type StochasticPriceOptions, StochasticPrices } from './stochastic-prices.ts';
