import { type AdvisorBucket, loadSpotAdvisor, type SpotAdvisor } from '../../sim/src/market/advisor.ts';
import { type InstanceCatalog, loadCatalog } from '../../sim/src/market/catalog.ts';
import { readText } from '../../sim/src/market/csv.ts';
import { PriceHistory } from '../../sim/src/market/price-history.ts';

const DAY_MS = 86_400_000;

export interface DataPaths {
  prices: string;
  advisor: string;
  catalog: string;
}

export interface ReplayScope {
  fromMs: number;
  toMs: number;
  /** Instance families the fleet may use. */
  families: readonly string[];
  /** Sizes (the part after the dot) the fleet may use. */
  sizes: readonly string[];
  /** Keep only this price source (AZ names differ between sources). */
  sourceId: string;
  /** Spot Advisor snapshot; default the latest one on or before `fromMs`. */
  advisorSnapshot?: string;
}

/** A pool every strategy may launch into: the same list for all of them. */
export interface PoolInfo {
  poolId: string;
  instanceType: string;
  family: string;
  zone: string;
  capacityType: 'spot' | 'on-demand';
  vcpu: number;
  memoryMib: number;
  arch: 'x86_64' | 'arm64';
  onDemandPrice: number;
  /** The type's Spot Advisor bucket: public, what a real fleet sees. */
  advisorBucket: AdvisorBucket | null;
}

export interface ReplayData {
  catalog: InstanceCatalog;
  advisor: SpotAdvisor;
  history: PriceHistory;
  zones: string[];
  spotPools: PoolInfo[];
  onDemandPools: PoolInfo[];
  scope: ReplayScope;
}

/**
 * Reads the catalog, the Spot Advisor and the price history once; every strategy and seed
 * shares them (read-only). The candidate pools are the catalog types of the chosen families
 * and sizes that have a recorded price from the start of the window on, in the zones the
 * history records for them; an on-demand pool exists wherever the spot pool does.
 */
export function loadReplayData(paths: DataPaths, scope: ReplayScope): ReplayData {
  const catalog = loadCatalog(paths.catalog);
  const advisorText = readText(paths.advisor);
  const snapshot = scope.advisorSnapshot ?? snapshotFor(advisorText, scope.fromMs);
  const advisor = loadSpotAdvisor(paths.advisor, snapshot === undefined ? {} : { snapshot });
  const families = new Set(scope.families);
  const sizes = new Set(scope.sizes);
  const types = catalog.priced().filter((t) => families.has(t.family) && sizes.has(t.instanceType.split('.')[1] ?? '') && t.gpuCount === 0);
  // A week before the window for the volatility window and the 24-hour means.
  const filter = {
    sourceId: scope.sourceId,
    fromMs: scope.fromMs - 8 * DAY_MS,
    toMs: scope.toMs,
    instanceTypes: types.map((t) => t.instanceType),
  };
  const text = readText(paths.prices);
  const history = PriceHistory.fromCsv(text + backfill(PriceHistory.fromCsv(text, filter), scope), filter);
  const spotPools: PoolInfo[] = [];
  for (const p of history.pools()) {
    const t = catalog.get(p.instanceType);
    if (!t || t.onDemandUsdPerHour === null) continue;
    if (history.priceAt(p.instanceType, p.availabilityZone, scope.fromMs) === undefined) continue;
    spotPools.push({
      poolId: `${t.instanceType}|${p.availabilityZone}|spot`,
      instanceType: t.instanceType,
      family: t.family,
      zone: p.availabilityZone,
      capacityType: 'spot',
      vcpu: t.vcpu,
      memoryMib: Math.round(t.memoryGib * 1024),
      arch: t.architecture,
      onDemandPrice: t.onDemandUsdPerHour,
      advisorBucket: advisor.bucket(t.instanceType) ?? null,
    });
  }
  spotPools.sort((a, b) => (a.poolId < b.poolId ? -1 : 1));
  const onDemandPools = spotPools.map((p) => ({
    ...p,
    poolId: `${p.instanceType}|${p.zone}|on-demand`,
    capacityType: 'on-demand' as const,
  }));
  const zones = [...new Set(spotPools.map((p) => p.zone))].sort();
  return { catalog, advisor, history, zones, spotPools, onDemandPools, scope: { ...scope, advisorSnapshot: snapshot ?? '' } };
}

/**
 * Rows that let a pool's first recorded price stand from the start of the window when the
 * recording begins within the window's first day. The 2021 recording starts at 01:39 on its
 * first day and lists a pool only from its first change after that, so without this the
 * first day of a replay starting at midnight would offer almost no pools. Pools first
 * recorded later than a day in are left out of the replay.
 */
function backfill(history: PriceHistory, scope: ReplayScope): string {
  const lines: string[] = [];
  const at = new Date(scope.fromMs).toISOString().replace('.000Z', '+00:00');
  for (const p of history.pools()) {
    if (history.priceAt(p.instanceType, p.availabilityZone, scope.fromMs) !== undefined) continue;
    const first = history.changesBetween(p.instanceType, p.availabilityZone, scope.fromMs, scope.fromMs + DAY_MS)[0];
    if (first) lines.push(`${at},${p.instanceType},${p.availabilityZone},${first.price},${scope.sourceId}`);
  }
  return lines.length === 0 ? '' : `\n${lines.join('\n')}\n`;
}

/** The latest snapshot date on or before `fromMs`, else the earliest one. */
function snapshotFor(text: string, fromMs: number): string | undefined {
  const dates = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const d = line.slice(0, line.indexOf(','));
    if (/^\d{4}-\d{2}-\d{2}$/.test(d)) dates.add(d);
  }
  const sorted = [...dates].sort();
  const before = sorted.filter((d) => Date.parse(`${d}T00:00:00Z`) <= fromMs);
  return before[before.length - 1] ?? sorted[0];
}
