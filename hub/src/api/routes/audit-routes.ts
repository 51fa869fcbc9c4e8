import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import { auditCsv } from '../../governance/audit-csv.ts';
import { iso } from '../../jobs/job-views.ts';
import type { AuditEntry, AuditFilter, AuditRepository } from '../../state/repositories/audit-repository.ts';
import { prefersCsv } from '../csv.ts';

export interface AuditRouteDeps {
  audit: Pick<AuditRepository, 'list'>;
  tenantOf: (request: FastifyRequest) => string;
  /** Rows one CSV export holds at most. Default 100 000. */
  maxCsvRows?: number;
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actor: { type: 'string', minLength: 1, maxLength: 200 },
    action: { type: 'string', minLength: 1, maxLength: 200 },
    target: { type: 'string', minLength: 1, maxLength: 500 },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string', maxLength: 2000 },
    format: { type: 'string', enum: ['json', 'csv'] },
  },
} as const;

const view = (e: AuditEntry) => ({ ...e, at: iso(e.at) });

/**
 * GET /api/v1/audit: who did what, when, from where, with what result; newest first,
 * filtered by actor, action, target and time ([from, to)), cursor-paged. CSV with
 * `Accept: text/csv` or `format=csv`: every matching entry (from the cursor on, up to
 * `limit` when given), streamed.
 */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  app.get('/api/v1/audit', { schema: { querystring: listQuery } }, async (request, reply) => {
    const q = request.query as {
      actor?: string;
      action?: string;
      target?: string;
      from?: string;
      to?: string;
      limit?: number;
      cursor?: string;
      format?: 'json' | 'csv';
    };
    const from = q.from === undefined ? undefined : Date.parse(q.from);
    const to = q.to === undefined ? undefined : Date.parse(q.to);
    if (from !== undefined && to !== undefined && from >= to) throw badParameter('from', 'must be before to');
    const filter: AuditFilter = {
      clientId: deps.tenantOf(request),
      actor: q.actor,
      action: q.action,
      target: q.target,
      from,
      to,
      cursor: q.cursor,
    };
    const csv = q.format === 'csv' || (q.format === undefined && prefersCsv(request.headers.accept));
    if (!csv) {
      const page = await deps.audit.list({ ...filter, limit: q.limit });
      return { entries: page.items.map(view), nextCursor: page.nextCursor };
    }
    // Read the first page before answering, so a bad cursor is a 400 rather than a broken download.
    await deps.audit.list({ ...filter, limit: 1 });
    const stamp = new Date()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replaceAll(':', '');
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${stamp}.csv"`)
      .send(Readable.from(auditCsv((f) => deps.audit.list(f), filter, q.limit ?? deps.maxCsvRows ?? 100_000)));
  });
}
