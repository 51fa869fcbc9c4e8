import { DescribeSpotPriceHistoryCommand, paginateDescribeSpotPriceHistory } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceHistory } from '../../src/market/index.ts';
import { type CsvPriceRow, PRICE_CSV, readPriceRows } from '../market/csv-rows.ts';
import { type Harness, startHarness } from './harness.ts';

const TYPES = ['m5.large', 'c5.large', 'r5.large', 'm5.xlarge'];
const NOW = Date.parse('2021-04-15T00:00:00Z');
const START = Date.parse('2021-03-10T00:00:00Z');
let h: Harness;
let rows: CsvPriceRow[];

beforeAll(async () => {
  rows = readPriceRows('luciana2021').filter((r) => TYPES.includes(r.type));
  h = await startHarness({ history: PriceHistory.load(PRICE_CSV, { sourceId: 'luciana2021' }) });
  await h.clock.advance(NOW - h.clock.now());
});
afterAll(async () => {
  await h?.close();
});

/** Per pool: the rows inside [START, NOW] plus the one in effect at START. */
function expectedCount(): number {
  const pools = new Map<string, CsvPriceRow[]>();
  for (const r of rows) pools.set(`${r.type}|${r.az}`, [...(pools.get(`${r.type}|${r.az}`) ?? []), r]);
  let n = 0;
  for (const list of pools.values()) {
    n += list.filter((r) => r.t >= START && r.t <= NOW).length;
    if (list.some((r) => r.t < START) && !list.some((r) => r.t === START)) n += 1;
  }
  return n;
}

describe('DescribeSpotPriceHistory', () => {
  it('pages through more than 1,000 replayed records, newest first, none after the clock', async () => {
    const expected = expectedCount();
    expect(expected).toBeGreaterThan(1000);
    const seen: Array<{ t: number; type: string; az: string; price: string }> = [];
    const pageSizes: number[] = [];
    for await (const page of paginateDescribeSpotPriceHistory(
      { client: h.ec2 },
      { InstanceTypes: TYPES as never[], ProductDescriptions: ['Linux/UNIX'], StartTime: new Date(START) },
    )) {
      pageSizes.push(page.SpotPriceHistory?.length ?? 0);
      for (const p of page.SpotPriceHistory ?? [])
        seen.push({
          t: p.Timestamp?.getTime() ?? 0,
          type: p.InstanceType as string,
          az: p.AvailabilityZone as string,
          price: p.SpotPrice as string,
        });
    }
    expect(seen.length).toBe(expected);
    expect(pageSizes[0]).toBe(1000);
    expect(pageSizes.length).toBe(Math.ceil(expected / 1000));
    expect(seen.every((p, i) => i === 0 || p.t <= (seen[i - 1]?.t ?? 0))).toBe(true);
    expect(Math.max(...seen.map((p) => p.t))).toBeLessThanOrEqual(NOW);
    expect(new Set(seen.map((p) => `${p.type}|${p.az}|${p.t}`)).size).toBe(seen.length);
    // the newest m5.large/us-east-1a record is the CSV's last change before the clock
    const newest = seen.find((p) => p.type === 'm5.large' && p.az === 'us-east-1a');
    const csvNewest = rows.filter((r) => r.type === 'm5.large' && r.az === 'us-east-1a' && r.t <= NOW).sort((a, b) => b.t - a.t)[0];
    expect(newest).toEqual({ t: csvNewest?.t, type: 'm5.large', az: 'us-east-1a', price: csvNewest?.price.toFixed(6) });
  });

  it('narrows by zone and window and pages with a small MaxResults', async () => {
    const end = Date.parse('2021-03-20T00:00:00Z');
    const want = rows.filter((r) => r.type === 'c5.large' && r.az === 'us-east-1b' && r.t >= START && r.t <= end).length + 1;
    let total = 0;
    let pages = 0;
    for await (const page of paginateDescribeSpotPriceHistory(
      { client: h.ec2, pageSize: 5 },
      { InstanceTypes: ['c5.large'], AvailabilityZone: 'us-east-1b', StartTime: new Date(START), EndTime: new Date(end) },
    )) {
      total += page.SpotPriceHistory?.length ?? 0;
      pages++;
    }
    expect(total).toBe(want);
    expect(pages).toBe(Math.ceil(want / 5));
    const windows = await h.ec2.send(
      new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['c5.large'], ProductDescriptions: ['Windows'] }),
    );
    expect(windows.SpotPriceHistory).toEqual([]);
  });

  it('rejects a token from another query', async () => {
    const first = await h.ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], MaxResults: 5 }));
    expect(first.NextToken).toBeTruthy();
    await expect(
      h.ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['c5.large'], MaxResults: 5, NextToken: first.NextToken })),
    ).rejects.toMatchObject({ name: 'InvalidPaginationToken' });
  });
});
