import { hash32 } from '../core/rng.ts';
import type { ActionHandler } from './context.ts';
import { errors } from './errors.ts';
import { applyFilters, parseFilters } from './filters.ts';
import { page, pageRequest } from './pagination.ts';

const PRODUCTS = ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'];

interface Row {
  instanceType: string;
  availabilityZone: string;
  productDescription: string;
  price: number;
  timeMs: number;
}

/**
 * DescribeSpotPriceHistory over the market: per pool, the changes inside
 * [StartTime, EndTime] plus the one in effect at StartTime, never later than the clock's
 * now (EndTime defaults to now and is capped there). Without StartTime the whole history
 * up to EndTime is served. Newest first, as EC2 answers. Only Linux prices exist; without
 * ProductDescriptions they are labelled "Linux/UNIX".
 *
 * The first page fixes "now" into the NextToken, so later pages of a paginated read see
 * the same snapshot even while the virtual clock runs on.
 */
const describeSpotPriceHistory: ActionHandler = (ctx) => {
  const p = ctx.params;
  const scope = `prices:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const req = pageRequest(p, scope, { defaultSize: 1000, min: 5, max: 1000 });
  const nowMs = req.state ?? ctx.clock.now();
  // Later pages of one read share its pinned "now": build and sort its rows once, not once per
  // page. A first page always reads the market afresh (a price may have been set since).
  const recent = snapshots(ctx.market);
  const key = `${scope}|${nowMs}`;
  let rows = req.state === undefined ? undefined : recent.get(key);
  if (!rows) {
    rows = priceRows(ctx, nowMs);
    recent.set(key, rows);
    if (recent.size > 8) recent.delete(recent.keys().next().value as string);
  }
  const { items, nextToken } = page(rows, req, scope, nowMs);
  return {
    spotPriceHistorySet: items.map((r) => ({
      instanceType: r.instanceType,
      productDescription: r.productDescription,
      spotPrice: r.price.toFixed(6),
      timestamp: new Date(r.timeMs),
      availabilityZone: r.availabilityZone,
    })),
    nextToken: nextToken ?? '',
  };
};

const recentRows = new WeakMap<object, Map<string, Row[]>>();

function snapshots(market: object): Map<string, Row[]> {
  let m = recentRows.get(market);
  if (!m) {
    m = new Map();
    recentRows.set(market, m);
  }
  return m;
}

/** Every row the query selects up to `nowMs`, newest first. */
function priceRows(ctx: Parameters<ActionHandler>[0], nowMs: number): Row[] {
  const p = ctx.params;
  const endMs = Math.min(p.time('EndTime') ?? nowMs, nowMs);
  const startMs = p.time('StartTime') ?? Number.NEGATIVE_INFINITY;
  if (startMs > endMs && p.has('EndTime')) throw errors.invalidValue('StartTime must be before EndTime');

  const requestedProducts = p.strings('ProductDescription');
  const products = requestedProducts.length ? requestedProducts.filter((d) => PRODUCTS.includes(d)) : ['Linux/UNIX'];
  const types = p.strings('InstanceType');
  const zone = p.string('AvailabilityZone');
  const pools = ctx.market.pools(types.length ? types : undefined).filter((pool) => zone === undefined || pool.availabilityZone === zone);

  const rows: Row[] = [];
  for (const pool of pools) {
    const changes = ctx.market.priceChanges(pool.instanceType, pool.availabilityZone, startMs, endMs);
    for (const productDescription of products) {
      for (const c of changes) rows.push({ ...pool, productDescription, price: c.price, timeMs: c.timeMs });
    }
  }
  const filtered = applyFilters(rows, parseFilters(p), (r, name) => {
    if (name === 'availability-zone') return [r.availabilityZone];
    if (name === 'instance-type') return [r.instanceType];
    if (name === 'product-description') return [r.productDescription];
    if (name === 'spot-price') return [r.price.toFixed(6)];
    if (name === 'timestamp') return [new Date(r.timeMs).toISOString()];
    return undefined;
  });
  filtered.sort(
    (a, b) => b.timeMs - a.timeMs || a.instanceType.localeCompare(b.instanceType) || a.availabilityZone.localeCompare(b.availabilityZone),
  );
  return filtered;
}

export const spotPriceActions: Record<string, ActionHandler> = { DescribeSpotPriceHistory: describeSpotPriceHistory };
