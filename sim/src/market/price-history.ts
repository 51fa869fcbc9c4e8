import { readText } from './csv.ts';
import { type PricePoint, PriceSeries } from './price-series.ts';

export interface PriceHistoryFilter {
  /** Keep only rows of this source_id (the CSV mixes datasets whose AZ names differ). */
  sourceId?: string;
  /** Keep rows from here on, plus each pool's last change before it (its price at fromMs). */
  fromMs?: number;
  toMs?: number;
  instanceTypes?: readonly string[];
}

export interface PoolKey {
  instanceType: string;
  availabilityZone: string;
}

export function poolKey(instanceType: string, availabilityZone: string): string {
  return `${instanceType}|${availabilityZone}`;
}

/**
 * Replays recorded spot prices (spot_price_history.csv: each row is a price change in
 * effect until the pool's next row). Lookups are binary searches on per-pool series.
 */
export class PriceHistory {
  private readonly types = new Set<string>();

  private constructor(
    private readonly series: Map<string, PriceSeries>,
    readonly rowCount: number,
  ) {
    for (const key of series.keys()) this.types.add(key.slice(0, key.indexOf('|')));
  }

  static fromCsv(text: string, filter: PriceHistoryFilter = {}): PriceHistory {
    const byPool = new Map<string, PriceSeries>();
    let kept = 0;
    for (const [key, rows] of collectRows(text, filter)) {
      // Rows come grouped and mostly ordered; a stable sort keeps same-instant rows in file order.
      rows.sort((a, b) => a.t - b.t);
      const s = new PriceSeries();
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as Row;
        const next = rows[i + 1];
        // Before the window only the last change matters: it is the price at fromMs.
        if (filter.fromMs !== undefined && r.t < filter.fromMs && next && next.t <= filter.fromMs) continue;
        s.append(r.t, r.price);
        kept++;
      }
      byPool.set(key, s);
    }
    return new PriceHistory(byPool, kept);
  }

  static load(path: string | URL, filter?: PriceHistoryFilter): PriceHistory {
    return PriceHistory.fromCsv(readText(path), filter);
  }

  covers(instanceType: string, availabilityZone: string): boolean {
    return this.series.has(poolKey(instanceType, availabilityZone));
  }

  /** Whether any zone of this type has recorded prices. */
  coversType(instanceType: string): boolean {
    return this.types.has(instanceType);
  }

  /** Price in effect at t: the last change at or before t; undefined before the pool's first row. */
  priceAt(instanceType: string, availabilityZone: string, tMs: number): number | undefined {
    return this.series.get(poolKey(instanceType, availabilityZone))?.priceAt(tMs);
  }

  meanOver(instanceType: string, availabilityZone: string, fromMs: number, toMs: number): number | undefined {
    return this.series.get(poolKey(instanceType, availabilityZone))?.meanOver(fromMs, toMs);
  }

  /** Changes inside [fromMs, toMs] plus the one in effect at fromMs, oldest first. */
  changesBetween(instanceType: string, availabilityZone: string, fromMs: number, toMs: number): PricePoint[] {
    return this.series.get(poolKey(instanceType, availabilityZone))?.between(fromMs, toMs) ?? [];
  }

  pools(): PoolKey[] {
    return [...this.series.keys()].map((k) => {
      const [instanceType = '', availabilityZone = ''] = k.split('|');
      return { instanceType, availabilityZone };
    });
  }

  /** Earliest and latest change over all pools. */
  span(): { firstMs: number; lastMs: number } | undefined {
    let firstMs = Number.POSITIVE_INFINITY;
    let lastMs = Number.NEGATIVE_INFINITY;
    for (const s of this.series.values()) {
      firstMs = Math.min(firstMs, s.firstTimeMs ?? firstMs);
      lastMs = Math.max(lastMs, s.lastTimeMs ?? lastMs);
    }
    return Number.isFinite(firstMs) ? { firstMs, lastMs } : undefined;
  }
}

interface Row {
  t: number;
  price: number;
}

function collectRows(text: string, filter: PriceHistoryFilter): Map<string, Row[]> {
  const lines = text.split('\n');
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`price history: missing column "${name}" (have: ${header.join(', ')})`);
    return i;
  };
  const [cTime, cType, cAz, cPrice] = [
    col('timestamp_utc'),
    col('instance_type'),
    col('availability_zone'),
    col('spot_price_usd_per_hour'),
  ];
  const cSource = header.indexOf('source_id');
  if (filter.sourceId !== undefined && cSource < 0) throw new Error('price history: filtering by source needs a source_id column');
  const types = filter.instanceTypes ? new Set(filter.instanceTypes) : undefined;
  const byPool = new Map<string, Row[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length < 2) continue;
    // The files carry no quoted fields; a plain split is several times faster than a CSV scan.
    const f = line.split(',');
    if (filter.sourceId !== undefined && f[cSource]?.trim() !== filter.sourceId) continue;
    const type = f[cType] as string;
    if (types && !types.has(type)) continue;
    const t = parseUtc(f[cTime] as string);
    if (filter.toMs !== undefined && t > filter.toMs) continue;
    const price = Number(f[cPrice]);
    if (!Number.isFinite(t) || !Number.isFinite(price)) throw new Error(`price history: bad row ${i + 1}: ${line}`);
    const key = poolKey(type, f[cAz] as string);
    let rows = byPool.get(key);
    if (!rows) {
      rows = [];
      byPool.set(key, rows);
    }
    rows.push({ t, price });
  }
  return byPool;
}

/**
 * Reads the files' fixed `YYYY-MM-DDTHH:MM:SS+00:00` form by character codes, several
 * times faster than Date.parse over 170k rows; any other form falls back to Date.parse.
 * (No closures here: tsx wraps each one in a naming helper, which dominated the load.)
 */
function parseUtc(text: string): number {
  const fixed = text.length >= 20 && text.length <= 25 && text[4] === '-' && text[10] === 'T' && text[19] !== '.';
  if (!fixed || !(text.endsWith('+00:00') || text.endsWith('Z'))) return Date.parse(text);
  return Date.UTC(
    digits(text, 0, 4),
    digits(text, 5, 2) - 1,
    digits(text, 8, 2),
    digits(text, 11, 2),
    digits(text, 14, 2),
    digits(text, 17, 2),
  );
}

function digits(text: string, at: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) v = v * 10 + text.charCodeAt(at + k) - 48;
  return v;
}
