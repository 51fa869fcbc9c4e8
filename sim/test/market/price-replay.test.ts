import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { ScaledClock } from '../../src/core/sim-clock.ts';
import { PriceHistory, SpotMarket } from '../../src/market/index.ts';
import { type CsvPriceRow, csvPriceAt, PRICE_CSV, readPriceRows } from './csv-rows.ts';

const TYPE = 'm5.large';
const AZ = 'us-east-1a';
let rows: CsvPriceRow[];
let history: PriceHistory;

beforeAll(() => {
  rows = readPriceRows('luciana2021');
  history = PriceHistory.load(PRICE_CSV, { sourceId: 'luciana2021' });
});

describe('price replay from the recorded CSV', () => {
  it('loads the whole 173k-row file quickly, and a source filter keeps only that source', () => {
    const started = performance.now();
    const all = PriceHistory.load(PRICE_CSV);
    expect(performance.now() - started).toBeLessThan(2500);
    expect(all.rowCount).toBe(173_219);
    expect(history.rowCount).toBe(rows.length);
    expect(history.coversType('m6i.large')).toBe(false);
    expect(all.coversType('m6i.large')).toBe(true);
  });

  it('answers the last price at or before each instant (clock in March 2021)', () => {
    const market = new SpotMarket({ rng: new Rng(1), startMs: Date.parse('2021-03-15T00:00:00Z'), history });
    const pool = rows.filter((r) => r.type === TYPE && r.az === AZ);
    const change = pool.find((r) => r.t > Date.parse('2021-03-15T00:00:00Z')) as CsvPriceRow;
    const instants = [
      Date.parse('2021-03-15T00:00:00Z'),
      change.t - 1,
      change.t,
      change.t + 1,
      Date.parse('2021-03-15T12:34:56Z'),
      Date.parse('2021-03-20T12:00:00Z'),
      Date.parse('2021-04-29T23:59:59Z'),
    ];
    const expected = instants.map((t) => csvPriceAt(rows, TYPE, AZ, t));
    expect(expected.every((p) => p !== undefined)).toBe(true);
    expect(instants.map((t) => market.spotPrice(TYPE, AZ, t))).toEqual(expected);
    expect(market.spotPrice(TYPE, AZ, change.t - 1)).not.toBe(market.spotPrice(TYPE, AZ, change.t));
    // before the pool's first record there is no price, rather than an invented one
    expect(market.spotPrice(TYPE, AZ, Date.parse('2021-03-01T00:00:00Z'))).toBeUndefined();
  });

  it('offers a recorded type only in the zones the history has it in', () => {
    const market = new SpotMarket({ rng: new Rng(1), startMs: Date.parse('2021-03-15T00:00:00Z'), history });
    expect(market.offers(TYPE, 'us-east-1a')).toBe(true);
    expect(market.offers(TYPE, 'us-east-1e')).toBe(rows.some((r) => r.type === TYPE && r.az === 'us-east-1e'));
    // types the history never saw fall back to the built-in model
    expect(market.spotPrice('m6i.large', 'us-east-1e', Date.parse('2021-03-15T00:00:00Z'))).toBeGreaterThan(0);
  });

  it('follows a clock running at 3600× real time', async () => {
    const pool = rows.filter((r) => r.type === TYPE && r.az === AZ).sort((a, b) => a.t - b.t);
    // a change whose price differs from the one before it
    const k = pool.findIndex((r, i) => i > 0 && r.t > Date.parse('2021-03-10T00:00:00Z') && r.price !== pool[i - 1]?.price);
    const change = pool[k] as CsvPriceRow;
    const clock = new ScaledClock(change.t - 30 * 60_000, 3600);
    const market = new SpotMarket({ rng: new Rng(1), startMs: clock.now(), history });
    expect(market.spotPrice(TYPE, AZ, clock.now())).toBe(pool[k - 1]?.price);
    await new Promise((r) => setTimeout(r, 1000));
    const now = clock.now();
    expect(now - change.t).toBeGreaterThan(25 * 60_000);
    expect(market.spotPrice(TYPE, AZ, now)).toBe(csvPriceAt(rows, TYPE, AZ, now));
    expect(market.spotPrice(TYPE, AZ, now)).toBe(change.price);
  });
});
