import { csvField } from '../api/csv.ts';
import type { AuditEntry, AuditFilter } from '../state/repositories/audit-repository.ts';
import type { Page } from '../state/repositories/page.ts';

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'source_ip', 'action', 'target', 'result', 'client_id', 'details'] as const;

/**
 * A cell as a spreadsheet will read it. Actors and targets come from requests, and a cell
 * starting with = + - @ (or a tab/CR) would run as a formula when the export is opened;
 * a leading apostrophe keeps it text (OWASP's advice for CSV injection).
 */
export function safeCell(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function auditCsvRow(e: AuditEntry): string {
  const cells = [
    String(e.id),
    new Date(e.at).toISOString(),
    e.actor,
    e.sourceIp ?? '',
    e.action,
    e.target,
    e.result,
    e.clientId ?? '',
    JSON.stringify(e.details),
  ];
  return `${cells.map(safeCell).join(',')}\r\n`;
}

/**
 * The whole export, streamed a page at a time (newest first, like the JSON listing), from
 * the filter's cursor on and up to `max` rows.
 */
export async function* auditCsv(
  list: (f: AuditFilter) => Promise<Page<AuditEntry>>,
  filter: AuditFilter,
  max: number,
): AsyncGenerator<string> {
  yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  let cursor = filter.cursor;
  let left = max;
  while (left > 0) {
    const page = await list({ ...filter, cursor, limit: Math.min(500, left) });
    if (page.items.length > 0) yield page.items.map(auditCsvRow).join('');
    left -= page.items.length;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
