import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@ballast/sim';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.ts';
import { CatalogInputError } from '../src/catalog/catalog-error.ts';
import { FakeCatalogCloud } from '../src/catalog/fake-catalog-cloud.ts';
import { loadOnDemandCsv, onDemandFromMap, parseOnDemandCsv } from '../src/catalog/on-demand-prices.ts';

const SHARED_CATALOG = fileURLToPath(new URL('../../../shared/data/instance_types.csv', import.meta.url));
const HEADER = 'instance_type,family,vcpu,on_demand_usd_per_hour';
const dir = mkdtempSync(join(tmpdir(), 'ballast-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inputError(fn: () => unknown): CatalogInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CatalogInputError) return err;
    throw err;
  }
  throw new Error('expected a CatalogInputError');
}

describe('on-demand prices from instance_types.csv', () => {
  it('reads the shared catalog: every row, blank prices as unknown, the mtime as observedAt', () => {
    const table = loadOnDemandCsv(SHARED_CATALOG);
    expect(table.prices.size).toBe(1382);
    expect(table.prices.get('m5.large')).toBe(0.096);
    expect(table.prices.get('m6g.large')).toBe(0.077);
    expect([...table.prices.values()].filter((p) => p === null)).toHaveLength(18);
    expect(table.observedAt).toBe(Math.floor(statSync(SHARED_CATALOG).mtimeMs));
    expect(table.source).toBe(SHARED_CATALOG);
  });

  it.each([
    ['a missing column', 'instance_type,vcpu\nm5.large,2\n', 1, 0, 'missing column "on_demand_usd_per_hour" (have: instance_type, vcpu)'],
    [
      'a bad price',
      `${HEADER}\nm5.large,m5,2,0.096\nc5.large,c5,2,cheap\n`,
      3,
      15,
      'on_demand_usd_per_hour: "cheap" is not a non-negative number',
    ],
    ['a negative price', `${HEADER}\nm5.large,m5,2,-1\n`, 2, 15, 'on_demand_usd_per_hour: "-1" is not a non-negative number'],
    ['a short row', `${HEADER}\nm5.large,m5,0.096\n`, 2, 0, 'expected 4 fields as in the header, found 3'],
    [
      'a duplicate type',
      `${HEADER}\nm5.large,m5,2,0.096\n\nm5.large,m5,2,0.1\n`,
      4,
      1,
      'instance_type: "m5.large" is listed again (first on line 2)',
    ],
    ['a bad type name', `${HEADER}\nM5 Large,m5,2,0.096\n`, 2, 1, 'instance_type: "M5 Large" is not an instance type'],
    ['an unterminated quote', `${HEADER}\nm5.large,"m5,2,0.096\n`, 2, 10, 'unterminated quoted field'],
    ['an empty file', '', 1, 0, 'empty file: expected a header with instance_type and on_demand_usd_per_hour'],
  ])('names file, line and column for %s', (_what, text, line, column, problem) => {
    const err = inputError(() => parseOnDemandCsv(text, 'prices.csv', 0));
    expect({ line: err.line, column: err.column, problem: err.problem }).toEqual({ line, column, problem });
    expect(err.message).toBe(`prices.csv:${line}:${column}: ${problem}`);
  });

  it('reads quoted fields, CRLF and a BOM, counting lines inside quotes', () => {
    const text = `\uFEFF${HEADER}\r\n"m5.large","m5, general",2,0.096\r\n"x.y","multi\nline",1,bad\r\n`;
    const err = inputError(() => parseOnDemandCsv(text, 'q.csv', 0));
    // The bad cell is on the record's second line.
    expect([err.line, err.column]).toEqual([4, 9]);
    const ok = parseOnDemandCsv(`${HEADER}\r\n"m5.large","m5, general",2,0.096\r\n`, 'q.csv', 0);
    expect(ok.prices.get('m5.large')).toBe(0.096);
  });

  it('names a missing file and bad inline entries', () => {
    expect(inputError(() => loadOnDemandCsv(join(dir, 'absent.csv'))).message).toMatch(/absent\.csv:0:0: cannot read the file/);
    expect(inputError(() => onDemandFromMap({ 'm5.large': 0.096, 'c5.large': -2 }, 0)).message).toBe(
      'inline:2:2: "c5.large": -2 is not a non-negative number',
    );
    expect(onDemandFromMap({ 'm5.large': 0.096 }, 5).prices.get('m5.large')).toBe(0.096);
  });
});

describe('Catalog with an on-demand file', () => {
  it('refuses to start on a bad file, and later keeps the old prices when a reload finds a bad one', async () => {
    const file = join(dir, 'prices.csv');
    writeFileSync(file, `${HEADER}\nm5.large,m5,2,oops\n`);
    const clock = new ManualClock(Date.parse('2024-01-15T00:00:00Z'));
    const catalog = new Catalog({ cloud: new FakeCatalogCloud(), clock, onDemand: { file }, instanceTypesEveryMs: 3_600_000 });
    await expect(catalog.start()).rejects.toThrow(`${file}:2:15: on_demand_usd_per_hour: "oops" is not a non-negative number`);

    writeFileSync(file, `${HEADER}\nm5.large,m5,2,0.096\n`);
    utimesSync(file, new Date('2024-01-10T00:00:00Z'), new Date('2024-01-10T00:00:00Z'));
    await catalog.start();
    const price = catalog.onDemandPrice('m5.large');
    expect(price).toEqual({ pricePerHour: 0.096, observedAt: Date.parse('2024-01-10T00:00:00Z'), effectiveFrom: null, source: file });
    expect(catalog.ageMs(price as NonNullable<typeof price>)).toBe(5 * 86_400_000);
    expect(catalog.onDemandPrice('c5.large')).toBeUndefined();

    writeFileSync(file, `${HEADER}\nm5.large,m5,2,0.1,extra\n`);
    await clock.advance(3_600_000);
    await catalog.idle();
    expect(catalog.onDemandPrice('m5.large')?.pricePerHour).toBe(0.096);
    expect(catalog.status().onDemandPrices).toMatchObject({
      source: file,
      count: 1,
      consecutiveFailures: 1,
      lastError: { code: 'CatalogInputError', at: clock.now() },
    });
    await catalog.shutdown();
  });
});
