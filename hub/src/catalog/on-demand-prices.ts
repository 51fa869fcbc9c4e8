import { readFileSync, statSync } from 'node:fs';
import { CatalogInputError } from './catalog-error.ts';
import { readCsv } from './csv-reader.ts';

/**
 * On-demand prices, USD/hour per instance type. EC2 has no price API (the Pricing API is
 * another service and region-bound), so they come from a file in the format of
 * instance_types.csv — the columns `instance_type` and `on_demand_usd_per_hour` are
 * required, any others are ignored — or from an inline map in the config.
 */
export interface OnDemandPriceTable {
  /** Where the prices came from: the file path, or "inline". */
  source: string;
  /** When the prices were current: the file's modification time, or the time given for an inline map. */
  observedAt: number;
  /** Price per type; null where the source lists the type without a price (blank cell). */
  prices: ReadonlyMap<string, number | null>;
}

const TYPE_COLUMN = 'instance_type';
const PRICE_COLUMN = 'on_demand_usd_per_hour';
const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

function price(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return /^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t) && Number.isFinite(n) ? n : undefined;
}

/** Parses the CSV text; every error names the source, line and column. */
export function parseOnDemandCsv(text: string, source: string, observedAt: number): OnDemandPriceTable {
  const [header, ...rows] = readCsv(text, source);
  if (!header) throw new CatalogInputError(source, 1, 0, `empty file: expected a header with ${TYPE_COLUMN} and ${PRICE_COLUMN}`);
  const names = header.fields.map((f) => f.trim());
  const col = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new CatalogInputError(source, header.line, 0, `missing column "${name}" (have: ${names.join(', ')})`);
    return i;
  };
  const typeCol = col(TYPE_COLUMN);
  const priceCol = col(PRICE_COLUMN);
  const prices = new Map<string, number | null>();
  const firstLine = new Map<string, number>();
  for (const r of rows) {
    if (r.fields.length !== names.length) {
      throw new CatalogInputError(source, r.line, 0, `expected ${names.length} fields as in the header, found ${r.fields.length}`);
    }
    const type = (r.fields[typeCol] as string).trim();
    const [typeLine, typeAt] = [r.lines[typeCol] as number, r.columns[typeCol] as number];
    if (!INSTANCE_TYPE.test(type))
      throw new CatalogInputError(source, typeLine, typeAt, `${TYPE_COLUMN}: "${type}" is not an instance type`);
    const seen = firstLine.get(type);
    if (seen !== undefined)
      throw new CatalogInputError(source, typeLine, typeAt, `${TYPE_COLUMN}: "${type}" is listed again (first on line ${seen})`);
    const cell = r.fields[priceCol] as string;
    const value = price(cell);
    if (value === undefined) {
      throw new CatalogInputError(
        source,
        r.lines[priceCol] as number,
        r.columns[priceCol] as number,
        `${PRICE_COLUMN}: "${cell}" is not a non-negative number`,
      );
    }
    firstLine.set(type, r.line);
    prices.set(type, value);
  }
  return { source, observedAt, prices };
}

/** Reads the file; its modification time is when the prices were last known good. */
export function loadOnDemandCsv(path: string): OnDemandPriceTable {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(path, 'utf8');
    mtimeMs = statSync(path).mtimeMs;
  } catch (err) {
    throw new CatalogInputError(path, 0, 0, `cannot read the file: ${(err as Error).message}`);
  }
  return parseOnDemandCsv(text, path, Math.floor(mtimeMs));
}

/** An inline map from the config; a bad entry is reported with its key as the "line". */
export function onDemandFromMap(map: Readonly<Record<string, number>>, observedAt: number): OnDemandPriceTable {
  const prices = new Map<string, number | null>();
  Object.entries(map).forEach(([type, value], k) => {
    if (!INSTANCE_TYPE.test(type)) throw new CatalogInputError('inline', k + 1, 1, `"${type}" is not an instance type`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new CatalogInputError('inline', k + 1, 2, `"${type}": ${String(value)} is not a non-negative number`);
    }
    prices.set(type, value);
  });
  return { source: 'inline', observedAt, prices };
}
