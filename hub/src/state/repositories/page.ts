import { MetadataStoreError } from '../metadata-store-error.ts';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/**
 * Keyset cursors: the sort key of the last row returned, opaque to callers. A page is read
 * as "rows after this key", so rows inserted meanwhile neither repeat nor shift a page.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** @throws MetadataStoreError `invalid_input` for a cursor this code did not make (or of another shape). */
export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => typeof v !== shape[i])) {
    throw new MetadataStoreError('invalid_input', 'malformed page cursor: pass back a nextCursor unchanged');
  }
  return key as (string | number)[];
}

export function pageSize(limit: number | undefined): number {
  const n = limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new MetadataStoreError('invalid_input', `page limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${n}`);
  }
  return n;
}

/** Splits the `limit + 1` rows a page query read into the page and the cursor after it. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
