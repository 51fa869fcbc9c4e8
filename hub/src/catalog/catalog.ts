import { type Clock, ConfigError } from '@ballast/common';
import type { PricePoint } from '../scoring/pool-inputs.ts';
import {
  CATALOG_DEFAULTS,
  type CatalogInstanceType,
  type CatalogOptions,
  type CatalogPrice,
  type CatalogStatus,
  type OnDemandSource,
} from './catalog-types.ts';
import { loadOnDemandCsv, type OnDemandPriceTable, onDemandFromMap } from './on-demand-prices.ts';
import { RefreshTask } from './refresh-task.ts';
import { SpotPriceBook } from './spot-price-book.ts';

function positive(field: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(`catalog.${field}`, `must be a positive number of ms, got ${value}`);
  return value;
}

/**
 * Instance types and prices, cached and refreshed on a schedule: types and zones from
 * DescribeInstanceTypes (daily), spot prices from DescribeSpotPriceHistory (every few
 * minutes, incrementally, over a sliding window), on-demand prices from a file or the
 * config. A failed refresh keeps the last good data and is recorded in status(); every
 * price carries when it was observed, so callers can judge its age.
 */
export class Catalog {
  private readonly clock: Clock;
  private readonly historyMs: number;
  private types = new Map<string, CatalogInstanceType>();
  private discoveredZones: string[] = [];
  private onDemand: OnDemandPriceTable | undefined;
  private readonly book = new SpotPriceBook();
  /** End of the last spot window read; the next refresh starts there. */
  private spotReadUntil: number | null = null;
  private readonly typesTask: RefreshTask;
  private readonly spotTask: RefreshTask;
  private readonly onDemandTask: RefreshTask;
  private started = false;
  private stopping = false;

  constructor(private readonly options: CatalogOptions) {
    this.clock = options.clock;
    const typesEvery = positive('instanceTypesEveryMs', options.instanceTypesEveryMs ?? CATALOG_DEFAULTS.instanceTypesEveryMs);
    const spotEvery = positive('spotPricesEveryMs', options.spotPricesEveryMs ?? CATALOG_DEFAULTS.spotPricesEveryMs);
    const retryMs = positive('retryAfterFailureMs', options.retryAfterFailureMs ?? CATALOG_DEFAULTS.retryAfterFailureMs);
    this.historyMs = positive('priceHistoryMs', options.priceHistoryMs ?? CATALOG_DEFAULTS.priceHistoryMs);
    const failed = (refresh: string) => (err: unknown) =>
      options.logger?.warn('catalog refresh failed; keeping the last good data', { refresh, error: err });
    this.typesTask = new RefreshTask(this.clock, { everyMs: typesEvery, retryMs }, () => this.readTypes(), failed('instanceTypes'));
    this.spotTask = new RefreshTask(this.clock, { everyMs: spotEvery, retryMs }, () => this.readSpotPrices(), failed('spotPrices'));
    this.onDemandTask = new RefreshTask(this.clock, { everyMs: typesEvery, retryMs }, async () => this.readOnDemand(), failed('onDemand'));
  }

  /**
   * Loads the on-demand prices (a bad file or map rejects: it is configuration), then
   * runs the first type and spot refreshes and starts the schedules. Resolves after the
   * first refreshes whether or not they succeeded; see status(). Once started (or shut
   * down), later calls do nothing.
   */
  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.readOnDemand();
    this.started = true;
    if ('file' in this.options.onDemand) this.onDemandTask.startLater();
    await this.typesTask.start();
    // A shutdown during the first refresh must not be undone by starting the next schedule.
    if (!this.stopping) await this.spotTask.start();
  }

  /** Stops the schedules and waits for refreshes in flight; safe before start and twice. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.typesTask.stop(), this.spotTask.stop(), this.onDemandTask.stop()]);
  }

  refreshInstanceTypes(): Promise<boolean> {
    return this.typesTask.runNow();
  }

  refreshSpotPrices(): Promise<boolean> {
    return this.spotTask.runNow();
  }

  refreshOnDemandPrices(): Promise<boolean> {
    return this.onDemandTask.runNow();
  }

  /** Resolves when no refresh is in flight (tests advance a manual clock, then wait here). */
  async idle(): Promise<void> {
    await Promise.all([this.typesTask.idle(), this.spotTask.idle(), this.onDemandTask.idle()]);
  }

  now(): number {
    return this.clock.now();
  }

  instanceTypes(): CatalogInstanceType[] {
    return [...this.types.values()];
  }

  instanceType(name: string): CatalogInstanceType | undefined {
    return this.types.get(name);
  }

  zones(): string[] {
    return [...(this.options.zones ?? this.discoveredZones)];
  }

  /** The spot price in effect now; undefined when the pool has none. */
  spotPrice(instanceType: string, zone: string): CatalogPrice | undefined {
    const found = this.book.priceAt(instanceType, zone, this.clock.now());
    if (!found) return undefined;
    return { pricePerHour: found.point.price, observedAt: found.observedAt, effectiveFrom: found.point.timeMs, source: 'ec2' };
  }

  /** Undefined when the source does not price the type. */
  onDemandPrice(instanceType: string): CatalogPrice | undefined {
    const price = this.onDemand?.prices.get(instanceType);
    if (price === undefined || price === null || this.onDemand === undefined) return undefined;
    return { pricePerHour: price, observedAt: this.onDemand.observedAt, effectiveFrom: null, source: this.onDemand.source };
  }

  /** Spot changes in [fromMs, toMs] plus the one in effect at fromMs, oldest first; only what the window kept. */
  priceHistory(instanceType: string, zone: string, fromMs: number, toMs: number): PricePoint[] {
    return this.book.history(instanceType, zone, fromMs, toMs);
  }

  /** Pools with spot prices, as [instanceType, zone]. */
  spotPools(): Array<[instanceType: string, zone: string]> {
    return this.book.poolKeys();
  }

  /** How old the price is now: clock time since it was last observed. */
  ageMs(price: CatalogPrice): number {
    return this.clock.now() - price.observedAt;
  }

  status(): CatalogStatus {
    return {
      instanceTypes: { ...this.typesTask.status(), count: this.types.size },
      spotPrices: { ...this.spotTask.status(), pools: this.book.poolCount, oldestObservedAt: this.book.oldestObservedAt() },
      onDemandPrices: {
        ...this.onDemandTask.status(),
        source: this.onDemand?.source ?? null,
        count: this.onDemand?.prices.size ?? 0,
        observedAt: this.onDemand?.observedAt ?? null,
      },
    };
  }

  private readOnDemand(): void {
    this.onDemand = readSource(this.options.onDemand, this.clock.now());
  }

  private async readTypes(): Promise<void> {
    const { cloud } = this.options;
    // Both lists or neither: a half-applied refresh would pair new types with stale zones.
    const [types, zones] = await Promise.all([
      cloud.describeInstanceTypes(),
      this.options.zones ? Promise.resolve(undefined) : cloud.describeAvailabilityZones(),
    ]);
    const now = this.clock.now();
    const wanted = this.options.instanceTypes ? new Set(this.options.instanceTypes) : undefined;
    this.types = new Map(
      types.filter((t) => !wanted || wanted.has(t.instanceType)).map((t) => [t.instanceType, { ...withoutExtras(t), observedAt: now }]),
    );
    if (zones) this.discoveredZones = zones.filter((z) => z.state === 'available').map((z) => z.name);
  }

  private async readSpotPrices(): Promise<void> {
    const now = this.clock.now();
    const windowStart = now - this.historyMs;
    // EC2 answers each pool's price in effect at the start, so reading on from the last end loses nothing.
    const startMs = this.spotReadUntil !== null && this.spotReadUntil > windowStart ? this.spotReadUntil : windowStart;
    const zones = this.zones();
    const prices = await this.options.cloud.describeSpotPriceHistory({
      ...(this.options.instanceTypes ? { instanceTypes: [...this.options.instanceTypes] } : {}),
      ...(zones.length ? { zones } : {}),
      startMs,
      endMs: now,
    });
    this.book.merge(prices, now);
    this.book.trim(windowStart);
    this.spotReadUntil = now;
  }
}

function readSource(source: OnDemandSource, now: number): OnDemandPriceTable {
  return 'file' in source ? loadOnDemandCsv(source.file) : onDemandFromMap(source.prices, source.observedAt ?? now);
}

function withoutExtras(t: Omit<CatalogInstanceType, 'observedAt'>): Omit<CatalogInstanceType, 'observedAt'> {
  const { instanceType, vcpu, memoryMib, architectures, gpuCount, supportsSpot, supportsOnDemand } = t;
  return { instanceType, vcpu, memoryMib, architectures, gpuCount, supportsSpot, supportsOnDemand };
}
