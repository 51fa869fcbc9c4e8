import type { Filter } from '@aws-sdk/client-ec2';
import { CloudError } from './cloud-error.ts';

export interface PageLimits {
  /** The API's accepted MaxResults range. */
  min: number;
  max: number;
}

export interface Page<T> {
  items: T[];
  nextToken?: string | undefined;
}

/**
 * Reads every page of a listing. EC2 may answer a page with no items but a token (spot
 * price history does), so only a missing or empty token ends the listing. A token seen
 * twice, or more than `maxPages` pages, fails as internal instead of looping forever.
 */
export async function allPages<T>(
  operation: string,
  fetch: (nextToken: string | undefined) => Promise<Page<T>>,
  maxPages: number,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= maxPages) throw new CloudError('internal', `${operation}: more than ${maxPages} pages`, { operation });
    const page = await fetch(nextToken);
    out.push(...page.items);
    if (!page.nextToken) return out;
    if (seen.has(page.nextToken)) throw new CloudError('internal', `${operation}: the service repeated a page token`, { operation });
    seen.add(page.nextToken);
    nextToken = page.nextToken;
  }
}

/** MaxResults within the API's range; the API's maximum (fewest round trips) when none is configured. */
export function pageSizeFor(configured: number | undefined, limits: PageLimits): number {
  return configured === undefined ? limits.max : Math.min(limits.max, Math.max(limits.min, configured));
}

/** EC2 caps the values of one filter (200 on most APIs); larger lists are queried in chunks. */
export const MAX_FILTER_VALUES = 200;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Filters from a query: `tag:KEY` per tag, plus the given name → values pairs (empty lists dropped). */
export function filtersOf(tags: Record<string, string> | undefined, named: Record<string, readonly string[] | undefined> = {}): Filter[] {
  const filters: Filter[] = Object.entries(tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
  for (const [Name, values] of Object.entries(named)) if (values?.length) filters.push({ Name, Values: [...values] });
  return filters;
}

/** EC2's tag list as a record. */
export function tagRecord(
  tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

export function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function timeMs(d: Date | string | undefined): number | null {
  if (d === undefined) return null;
  const ms = d instanceof Date ? d.getTime() : Date.parse(d);
  return Number.isFinite(ms) ? ms : null;
}
