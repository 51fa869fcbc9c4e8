import type { Rng } from '../core/rng.ts';
import { SpotAdvisor } from './advisor.ts';
import { CapacityModel, type CapacityOptions } from './capacity.ts';
import { type InstanceCatalog, loadCatalog } from './catalog.ts';
import { type PoolKey, type PriceHistory, poolKey } from './price-history.ts';
import { type PricePoint, PriceSeries } from './price-series.ts';
import { type StochasticPriceOptions, StochasticPrices } from './stochastic-prices.ts';

export const US_EAST_1_ZONES: readonly string[] = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];

const HOUR_MS = 3_600_000;
const HOURS_PER_MONTH = 730;

export interface SpotMarketOptions {
  rng: Rng;
  /** Where the built-in price model starts stepping (usually the clock's start). */
  startMs: number;
  catalog?: InstanceCatalog;
  advisor?: SpotAdvisor;
  /** Recorded prices; pools it covers are replayed, the rest use the built-in model. */
  history?: PriceHistory;
  zones?: readonly string[];
  capacity?: Partial<CapacityOptions>;
  stochastic?: Partial<Omit<StochasticPriceOptions, 'startMs'>>;
}

/**
 * The simulated spot market: pools are instance type × availability zone. Prices come
 * from the replayed history where it covers a pool and from the built-in model
 * elsewhere. The hazard here is the simulator's ground truth; nothing on the wire
 * exposes it (the EC2 endpoint serves prices only), so the hub must infer risk from
 * prices, notices and advisor buckets as it would on AWS.
 */
export class SpotMarket {
  readonly zones: readonly string[];
  readonly catalog: InstanceCatalog;
  readonly advisor: SpotAdvisor;
  readonly capacity: CapacityModel;
  readonly history: PriceHistory | undefined;
  private readonly model: StochasticPrices;
  private readonly overrides = new Map<string, PriceSeries>();

  constructor(options: SpotMarketOptions) {
    this.zones = options.zones ?? US_EAST_1_ZONES;
    this.catalog = options.catalog ?? loadCatalog();
    this.advisor = options.advisor ?? new SpotAdvisor([]);
    this.history = options.history;
    const onDemand = (t: string) => this.onDemandPrice(t);
    this.model = new StochasticPrices(options.rng, onDemand, { ...options.stochastic, startMs: options.startMs });
    this.capacity = new CapacityModel(options.rng, (t) => this.catalog.get(t)?.vcpu, options.capacity);
  }

  onDemandPrice(instanceType: string): number | undefined {
    return this.catalog.get(instanceType)?.onDemandUsdPerHour ?? undefined;
  }

  /**
   * A pool exists for priced catalog types in the configured zones — except that where
   * the history records a type, it also tells which zones offer it (on AWS not every
   * type is in every zone; us-east-1e lacks most current families).
   */
  offers(instanceType: string, availabilityZone: string): boolean {
    if (!this.zones.includes(availabilityZone) || this.onDemandPrice(instanceType) === undefined) return false;
    return !this.history?.coversType(instanceType) || this.history.covers(instanceType, availabilityZone);
  }

  pools(instanceTypes?: readonly string[]): PoolKey[] {
    const types = instanceTypes ?? this.catalog.priced().map((t) => t.instanceType);
    return types.flatMap((instanceType) =>
      this.zones.filter((az) => this.offers(instanceType, az)).map((availabilityZone) => ({ instanceType, availabilityZone })),
    );
  }

  /** USD/hour at t; undefined when the pool is not offered or has no known price yet. */
  spotPrice(instanceType: string, availabilityZone: string, tMs: number): number | undefined {
    if (!this.offers(instanceType, availabilityZone)) return undefined;
    const override = this.overrides.get(poolKey(instanceType, availabilityZone))?.priceAt(tMs);
    if (override !== undefined) return override;
    if (this.history?.covers(instanceType, availabilityZone)) return this.history.priceAt(instanceType, availabilityZone, tMs);
    return this.model.priceAt(instanceType, availabilityZone, tMs);
  }

  /**
   * Price changes in [fromMs, toMs] plus the one in effect at fromMs, oldest first —
   * what DescribeSpotPriceHistory serves.
   */
  priceChanges(instanceType: string, availabilityZone: string, fromMs: number, toMs: number): PricePoint[] {
    if (!this.offers(instanceType, availabilityZone)) return [];
    const base = this.history?.covers(instanceType, availabilityZone)
      ? this.history.changesBetween(instanceType, availabilityZone, fromMs, toMs)
      : this.model.changesBetween(instanceType, availabilityZone, fromMs, toMs);
    const override = this.overrides.get(poolKey(instanceType, availabilityZone));
    if (!override) return base;
    const firstOverride = override.firstTimeMs ?? Number.POSITIVE_INFINITY;
    return [...base.filter((p) => p.timeMs < firstOverride), ...override.between(fromMs, toMs)];
  }

  /** Time-weighted mean over the window; the base for spike detection. */
  meanPrice(instanceType: string, availabilityZone: string, fromMs: number, toMs: number): number | undefined {
    const override = this.overrides.get(poolKey(instanceType, availabilityZone));
    if (override && (override.firstTimeMs ?? Number.POSITIVE_INFINITY) <= fromMs) return override.meanOver(fromMs, toMs);
    if (this.history?.covers(instanceType, availabilityZone)) return this.history.meanOver(instanceType, availabilityZone, fromMs, toMs);
    return this.model.meanOver(instanceType, availabilityZone, fromMs, toMs);
  }

  /**
   * Test and scenario hook: from `fromMs` (default: the epoch, i.e. always) the pool's
   * price is `price`. Changes must be set in time order.
   */
  setSpotPrice(instanceType: string, availabilityZone: string, price: number, fromMs = 0): void {
    const key = poolKey(instanceType, availabilityZone);
    let series = this.overrides.get(key);
    if (!series) {
      series = new PriceSeries();
      this.overrides.set(key, series);
    }
    series.append(fromMs, price);
  }

  /**
   * Interruptions per hour for one running spot instance in the pool at t:
   *
   *   base     = −ln(1 − p) / 730, p = the advisor's monthly probability for the type
   *   spike    = 1 + 4 · max(0, price / mean₂₄ₕ − 1.2)   (price well above its trailing mean)
   *   pressure = 1 + 10 · max(0, used / capacity − 0.8) (pool nearly full)
   *   hazard   = base · spike · pressure
   *
   * So a type in the ">20%" bucket (p = 0.25) at a calm, half-empty pool is interrupted
   * at 3.9e-4/h; a price at twice its daily mean multiplies that by 4.2 and a full pool by 3.
   */
  interruptionHazardPerHour(instanceType: string, availabilityZone: string, tMs: number): number {
    const p = Math.min(0.999, this.advisor.monthlyInterruptionProbability(instanceType));
    const base = -Math.log(1 - p) / HOURS_PER_MONTH;
    const price = this.spotPrice(instanceType, availabilityZone, tMs);
    const mean = this.meanPrice(instanceType, availabilityZone, tMs - 24 * HOUR_MS, tMs);
    const ratio = price !== undefined && mean !== undefined && mean > 0 ? price / mean : 1;
    const spike = 1 + 4 * Math.max(0, ratio - 1.2);
    const pressure = 1 + 10 * Math.max(0, this.capacity.utilization(instanceType, availabilityZone) - 0.8);
    return base * spike * pressure;
  }
}
