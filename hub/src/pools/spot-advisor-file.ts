import { readFileSync } from 'node:fs';
import { CatalogInputError } from '../catalog/catalog-error.ts';
import { readCsv } from '../catalog/csv-reader.ts';
import { ADVISOR_BUCKETS, type AdvisorBucket } from '../scoring/pool-inputs.ts';

/**
 * The Spot Advisor's interruption bucket per instance type, for one region and OS. AWS
 * publishes it as a JSON feed; the hub reads it as the CSV the project's data folder holds
 * (snapshot_commit_date, region, instance_type, os, interruption_bucket, …). A file can hold
 * several snapshots: the newest for the region is used, the prior being today's best guess.
 */
export interface SpotAdvisorTable {
  snapshot: string;
  buckets: ReadonlyMap<string, AdvisorBucket>;
}

const REQUIRED = ['snapshot_commit_date', 'region', 'instance_type', 'os', 'interruption_bucket'] as const;

export function parseSpotAdvisorCsv(text: string, source: string, region: string, os = 'Linux'): SpotAdvisorTable {
  const [header, ...rows] = readCsv(text, source);
  if (!header) throw new CatalogInputError(source, 1, 0, 'empty file');
  const col = {} as Record<(typeof REQUIRED)[number], number>;
  for (const name of REQUIRED) {
    const i = header.fields.indexOf(name);
    if (i < 0) throw new CatalogInputError(source, header.line, 0, `missing column ${name}`);
    col[name] = i;
  }
  const get = (r: (typeof rows)[number], name: (typeof REQUIRED)[number]) => r.fields[col[name]] ?? '';
  let snapshot = '';
  for (const r of rows)
    if (get(r, 'region') === region && get(r, 'snapshot_commit_date') > snapshot) snapshot = get(r, 'snapshot_commit_date');
  const buckets = new Map<string, AdvisorBucket>();
  for (const r of rows) {
    if (get(r, 'snapshot_commit_date') !== snapshot || get(r, 'region') !== region || get(r, 'os') !== os) continue;
    const bucket = get(r, 'interruption_bucket') as AdvisorBucket;
    if (!ADVISOR_BUCKETS.includes(bucket)) {
      const at = r.columns[col.interruption_bucket] ?? 0;
      throw new CatalogInputError(source, r.line, at, `interruption_bucket "${bucket}" is not one of ${ADVISOR_BUCKETS.join(', ')}`);
    }
    buckets.set(get(r, 'instance_type'), bucket);
  }
  return { snapshot, buckets };
}

export function loadSpotAdvisorCsv(path: string, region: string): SpotAdvisorTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CatalogInputError(path, 0, 0, `cannot read the Spot Advisor file: ${(err as Error).message}`);
  }
  return parseSpotAdvisorCsv(text, path, region);
}
