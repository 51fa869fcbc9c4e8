import { get, getText } from './http.ts';

export interface AuditEntry {
  id: string | number;
  at: string;
  actor: string;
  action: string;
  target: string;
  result: string;
  sourceIp?: string | null;
  clientId?: string | null;
  details?: unknown;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** ISO date-time */
  from?: string;
  to?: string;
  cursor?: string;
}

export const fetchAudit = (f: AuditFilter, signal?: AbortSignal) =>
  get<{ entries: AuditEntry[]; nextCursor: string | null }>('/api/v1/audit', { query: { ...f, limit: 100 }, signal });

export const fetchAuditCsv = (f: AuditFilter) => getText('/api/v1/audit', { query: { ...f, cursor: undefined, format: 'csv' } });
