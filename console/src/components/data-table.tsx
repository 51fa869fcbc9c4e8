import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { type Column, queryTable, type SortDir } from '../lib/table-model.ts';

export interface TableColumn<T> extends Column<T> {
  render?: (row: T) => ComponentChildren;
}

interface Props<T> {
  rows: readonly T[];
  columns: readonly TableColumn<T>[];
  rowKey: (row: T) => string;
  initialSort: { key: string; dir: SortDir };
  pageSize?: number;
  testId: string;
  rowTestId?: string;
  rowAttrs?: (row: T) => Record<string, string>;
  onRowClick?: (row: T) => void;
  filterLabel?: string;
}

/**
 * A sortable, filterable table that renders one page at a time, so 500 nodes cost the same
 * as 50. Headers are buttons (keyboard sortable); the filter matches any column.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  initialSort,
  pageSize = 50,
  testId,
  rowTestId,
  rowAttrs,
  onRowClick,
  filterLabel,
}: Props<T>) {
  const [sortKey, setSortKey] = useState(initialSort.key);
  const [sortDir, setSortDir] = useState<SortDir>(initialSort.dir);
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const view = useMemo(
    () => queryTable(rows, columns, { sortKey, sortDir, filter, page, pageSize }),
    [rows, columns, sortKey, sortDir, filter, page, pageSize],
  );
  const sortBy = (key: string) => {
    if (key === sortKey) setSortDir(sortDir === 'asc' ? 'desc' : 'asc');
    else {
      setSortKey(key);
      setSortDir('asc');
    }
    setPage(0);
  };
  return (
    <div class="table-wrap" data-testid={testId}>
      <div class="table-tools">
        <input
          type="search"
          class="filter"
          placeholder={filterLabel ?? 'Filter…'}
          aria-label={filterLabel ?? 'Filter rows'}
          value={filter}
          onInput={(e) => {
            setFilter((e.target as HTMLInputElement).value);
            setPage(0);
          }}
        />
        <span class="muted" data-testid={`${testId}-count`}>
          {view.matched === view.total ? `${view.total} rows` : `${view.matched} of ${view.total} rows`}
        </span>
      </div>
      <table class="data-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                aria-sort={c.key === sortKey ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'}
                class={c.numeric ? 'num' : ''}
              >
                <button type="button" class="th-sort" onClick={() => sortBy(c.key)}>
                  {c.label}
                  {c.key === sortKey ? (sortDir === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {view.rows.map((r) => (
            <tr
              key={rowKey(r)}
              data-testid={rowTestId}
              {...rowAttrs?.(r)}
              class={onRowClick ? 'clickable' : ''}
              tabIndex={onRowClick ? 0 : undefined}
              onClick={onRowClick ? () => onRowClick(r) : undefined}
              onKeyDown={onRowClick ? (e) => e.key === 'Enter' && onRowClick(r) : undefined}
            >
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : ''}>
                  {c.render ? c.render(r) : (c.value(r) ?? '–')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {view.pages > 1 && (
        <nav class="pager" aria-label="Pages">
          <button type="button" class="btn" disabled={view.page === 0} onClick={() => setPage(view.page - 1)}>
            Previous
          </button>
          <span data-testid={`${testId}-page`}>
            Page {view.page + 1} of {view.pages}
          </span>
          <button type="button" class="btn" disabled={view.page >= view.pages - 1} onClick={() => setPage(view.page + 1)}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
