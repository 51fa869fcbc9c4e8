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
  const { items, nextToken } = page(filtered, req, scope, nowMs);
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

export const spotPriceActions: Record<string, ActionHandler> = { DescribeSpotPriceHistory: describeSpotPriceHistory };
