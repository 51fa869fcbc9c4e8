import type { ConfigError } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORAGE_PRICES, parseStoragePrices, snapshotMonthlyCost, volumeMonthlyCost } from './storage-prices.ts';

describe('storage prices', () => {
  it('price volumes by type (unknown types at the default) and snapshots by size, in cents', () => {
    expect(volumeMonthlyCost(DEFAULT_STORAGE_PRICES, 'gp3', 100)).toBe(8);
    expect(volumeMonthlyCost(DEFAULT_STORAGE_PRICES, 'sc1', 333)).toBe(5);
    expect(volumeMonthlyCost(DEFAULT_STORAGE_PRICES, 'future-type', 10)).toBe(1);
    expect(snapshotMonthlyCost(DEFAULT_STORAGE_PRICES, 178)).toBe(8.9);
  });

  it('take overrides from config JSON over the defaults and name a bad entry', () => {
    const p = parseStoragePrices('{"volumeGibMonth":{"gp3":0.088},"snapshotGibMonth":0.055}');
    expect([p.volumeGibMonth.gp3, p.volumeGibMonth.gp2, p.snapshotGibMonth]).toEqual([0.088, 0.1, 0.055]);
    expect(parseStoragePrices('')).toBe(DEFAULT_STORAGE_PRICES);
    const field = (json: string) => {
      try {
        parseStoragePrices(json);
      } catch (err) {
        return (err as ConfigError).field;
      }
      return null;
    };
    expect(field('{"volumeGibMonth":{"gp3":-1}}')).toBe('storagePrices.volumeGibMonth.gp3');
    expect(field('{"snapshotGibMonth":"cheap"}')).toBe('storagePrices.snapshotGibMonth');
    expect(field('{"iops":1}')).toBe('storagePrices.iops');
    expect(field('not json')).toBe('storagePrices');
  });
});
