/**
 * Sorting, filtering and paging of a table held in memory: pure, so a 500-node cluster is
 * sorted once per change and only one page is ever rendered.
 */

export type SortDir = 'asc' | 'desc';

export interface Column<T> {
  key: string;
  label: string;
  /** The value sorted on; strings compare naturally ("node-2" before "node-10"). */
  value: (row: T) => string | number | null;
  numeric?: boolean;
}

export interface TableQuery {
  sortKey: string;
  sortDir: SortDir;
  filter: string;
  page: number;
  pageSize: number;
}

export interface TablePage<T> {
  rows: T[];
  total: number;
  matched: number;
  page: number;
  pages: number;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function compareValues(a: string | number | null, b: string | number | null): number {
  // Missing values sort last in both directions: a blank score is never "the best".
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

export function queryTable<T>(rows: readonly T[], columns: readonly Column<T>[], q: TableQuery): TablePage<T> {
  const needle = q.filter.trim().toLowerCase();
  const matched =
    needle === ''
      ? rows.slice()
      : rows.filter((r) =>
          columns.some((c) =>
            String(c.value(r) ?? '')
              .toLowerCase()
              .includes(needle),
          ),
        );
  const col = columns.find((c) => c.key === q.sortKey);
  if (col) {
    const sign = q.sortDir === 'asc' ? 1 : -1;
    matched.sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      if (va === null || vb === null) return compareValues(va, vb);
      return sign * compareValues(va, vb);
    });
  }
  const pageSize = Math.max(1, q.pageSize);
  const pages = Math.max(1, Math.ceil(matched.length / pageSize));
  const page = Math.min(Math.max(0, q.page), pages - 1);
  return { rows: matched.slice(page * pageSize, (page + 1) * pageSize), total: rows.length, matched: matched.length, page, pages };
}
