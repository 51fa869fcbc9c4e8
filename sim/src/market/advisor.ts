import { csvTable, readText } from './csv.ts';

export type AdvisorBucket = '<5%' | '5-10%' | '10-15%' | '15-20%' | '>20%';

/**
 * Spot Advisor buckets give the share of a type's spot capacity reclaimed over the
 * trailing month. The simulator reads each bucket as a monthly interruption probability
 * at its midpoint; the open-ended ">20%" is taken as 25%.
 */
export const BUCKET_MONTHLY_PROBABILITY: Readonly<Record<AdvisorBucket, number>> = {
  '<5%': 0.025,
  '5-10%': 0.075,
  '10-15%': 0.125,
  '15-20%': 0.175,
  '>20%': 0.25,
};

/** For types the advisor does not list: between the middle buckets, a cautious guess. */
export const DEFAULT_MONTHLY_INTERRUPTION_PROBABILITY = 0.1;

export interface AdvisorEntry {
  instanceType: string;
  bucket: AdvisorBucket;
  savingsPct: number | null;
}

export interface AdvisorSelection {
  region?: string;
  os?: string;
  /** A snapshot_commit_date; the latest one in the file by default. */
  snapshot?: string;
}

export class SpotAdvisor {
  private readonly entries = new Map<string, AdvisorEntry>();

  constructor(
    entries: Iterable<AdvisorEntry>,
    /** The snapshot the entries come from, or null for a hand-built advisor. */
    readonly snapshot: string | null = null,
  ) {
    for (const e of entries) this.entries.set(e.instanceType, e);
  }

  bucket(instanceType: string): AdvisorBucket | undefined {
    return this.entries.get(instanceType)?.bucket;
  }

  entry(instanceType: string): AdvisorEntry | undefined {
    return this.entries.get(instanceType);
  }

  monthlyInterruptionProbability(instanceType: string): number {
    const b = this.bucket(instanceType);
    return b === undefined ? DEFAULT_MONTHLY_INTERRUPTION_PROBABILITY : BUCKET_MONTHLY_PROBABILITY[b];
  }

  list(): AdvisorEntry[] {
    return [...this.entries.values()];
  }
}

const BUCKETS = new Set<string>(Object.keys(BUCKET_MONTHLY_PROBABILITY));

/** Parses the spot_advisor.csv format, keeping one region, OS and snapshot (us-east-1, Linux, latest by default). */
export function parseSpotAdvisorCsv(text: string, selection: AdvisorSelection = {}): SpotAdvisor {
  const region = selection.region ?? 'us-east-1';
  const os = selection.os ?? 'Linux';
  const t = csvTable(text, 'spot advisor');
  const c = {
    snap: t.column('snapshot_commit_date'),
    region: t.column('region'),
    type: t.column('instance_type'),
    os: t.column('os'),
    bucket: t.column('interruption_bucket'),
  };
  const savings = t.header.indexOf('savings_pct');
  const rows = t.rows.filter((r) => r[c.region] === region && r[c.os] === os);
  const snapshot = selection.snapshot ?? rows.reduce((latest, r) => ((r[c.snap] ?? '') > latest ? (r[c.snap] ?? '') : latest), '');
  const entries: AdvisorEntry[] = [];
  for (const r of rows) {
    const bucket = r[c.bucket] ?? '';
    if (r[c.snap] !== snapshot || !BUCKETS.has(bucket)) continue;
    const s = savings >= 0 ? Number(r[savings]) : Number.NaN;
    entries.push({ instanceType: r[c.type] ?? '', bucket: bucket as AdvisorBucket, savingsPct: Number.isFinite(s) ? s : null });
  }
  return new SpotAdvisor(entries, snapshot || null);
}

export function loadSpotAdvisor(path: string | URL, selection?: AdvisorSelection): SpotAdvisor {
  return parseSpotAdvisorCsv(readText(path), selection);
}
