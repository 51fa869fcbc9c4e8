import { ConfigError } from '@ballast/common';

/**
 * What unused storage costs, in USD per GiB-month (AWS prices EBS per "GB-month" of the
 * provisioned GiB size). Defaults are us-east-1 list prices as of 2025:
 * - volumes: gp3 0.08, gp2 0.10, io1 0.125, io2 0.125, st1 0.045, sc1 0.015, standard
 *   (magnetic) 0.05; any other type 0.10.
 * - snapshots: 0.05 (standard tier).
 * The estimate is storage only. It leaves out provisioned IOPS (io1/io2, gp3 above 3000)
 * and throughput, so it is a floor for those volumes. Snapshots are billed for the blocks
 * they hold, which is at most the source volume's size: the size is a ceiling. Other
 * regions cost more or less: set your region's prices in config.
 */
export interface StoragePrices {
  /** USD per GiB-month by EBS volume type. */
  volumeGibMonth: Readonly<Record<string, number>>;
  /** USD per GiB-month of a volume type not in the table. */
  defaultVolumeGibMonth: number;
  /** USD per GiB-month of snapshot (standard tier). */
  snapshotGibMonth: number;
}

export const DEFAULT_STORAGE_PRICES: StoragePrices = {
  volumeGibMonth: { gp3: 0.08, gp2: 0.1, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 },
  defaultVolumeGibMonth: 0.1,
  snapshotGibMonth: 0.05,
};

export function volumeMonthlyCost(p: StoragePrices, volumeType: string, sizeGib: number): number {
  return round2(sizeGib * (p.volumeGibMonth[volumeType] ?? p.defaultVolumeGibMonth));
}

export function snapshotMonthlyCost(p: StoragePrices, sizeGib: number): number {
  return round2(sizeGib * p.snapshotGibMonth);
}

/** Cents: an estimate shown to people, and sums of rounded parts stay readable. */
export function round2(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/**
 * Prices from config, over the defaults: e.g. `{"volumeGibMonth":{"gp3":0.088},"snapshotGibMonth":0.055}`.
 * @throws ConfigError naming `field` (and the entry) for anything but non-negative finite numbers.
 */
export function parseStoragePrices(json: string, field = 'storagePrices'): StoragePrices {
  if (json.trim() === '') return DEFAULT_STORAGE_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(field, `is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(field, 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['volumeGibMonth', 'defaultVolumeGibMonth', 'snapshotGibMonth'].includes(k));
  if (unknown.length > 0) throw new ConfigError(`${field}.${unknown[0]}`, 'is not a price this hub knows');
  const price = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${field}.${name}`, 'must be a non-negative number');
    return v;
  };
  const volumes = { ...DEFAULT_STORAGE_PRICES.volumeGibMonth };
  if (o.volumeGibMonth !== undefined) {
    if (typeof o.volumeGibMonth !== 'object' || o.volumeGibMonth === null)
      throw new ConfigError(`${field}.volumeGibMonth`, 'must be an object');
    for (const [type, v] of Object.entries(o.volumeGibMonth)) volumes[type] = price(v, `volumeGibMonth.${type}`);
  }
  return {
    volumeGibMonth: volumes,
    defaultVolumeGibMonth:
      o.defaultVolumeGibMonth === undefined
        ? DEFAULT_STORAGE_PRICES.defaultVolumeGibMonth
        : price(o.defaultVolumeGibMonth, 'defaultVolumeGibMonth'),
    snapshotGibMonth:
      o.snapshotGibMonth === undefined ? DEFAULT_STORAGE_PRICES.snapshotGibMonth : price(o.snapshotGibMonth, 'snapshotGibMonth'),
  };
}
