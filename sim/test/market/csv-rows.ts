import { readFileSync } from 'node:fs';

export const PRICE_CSV = new URL('../../../../shared/data/spot_price_history.csv', import.meta.url);
export const ADVISOR_CSV = new URL('../../../../shared/data/spot_advisor.csv', import.meta.url);
export const CATALOG_CSV = new URL('../../../../shared/data/instance_types.csv', import.meta.url);

export interface CsvPriceRow {
  t: number;
  type: string;
  az: string;
  price: number;
  source: string;
}

/** The price CSV read independently of the code under test, for computing expectations. */
export function readPriceRows(source: string): CsvPriceRow[] {
  const lines = readFileSync(PRICE_CSV, 'utf8').trim().split(/\r?\n/).slice(1);
  return lines
    .map((l) => l.split(','))
    .filter((f) => f[4] === source)
    .map(([ts, type, az, price, src]) => ({
      t: new Date(ts as string).getTime(),
      type: type as string,
      az: az as string,
      price: Number(price),
      source: src as string,
    }));
}

/** The last CSV price at or before t for one pool. */
export function csvPriceAt(rows: CsvPriceRow[], type: string, az: string, t: number): number | undefined {
  let best: CsvPriceRow | undefined;
  for (const r of rows) if (r.type === type && r.az === az && r.t <= t && (!best || r.t >= best.t)) best = r;
  return best?.price;
}
