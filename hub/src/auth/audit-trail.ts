import type { FastifyRequest } from 'fastify';
import type { SqlSession } from '../state/metadata-store.ts';
import { AuditRepository, type AuditResult } from '../state/repositories/audit-repository.ts';
import { actorOf } from './principal.ts';

export interface AuthAuditEntry {
  action: string;
  target: string;
  result: AuditResult;
  /** The tenant concerned; null: hub-wide. */
  clientId: string | null;
  /** Default: the signed-in caller; sign-in names the username tried. */
  actor?: string;
  /** Never a password, token or cookie: ids, names, roles and reasons only. */
  details?: Record<string, unknown>;
}

/**
 * Appends one audit record for an account change, with who, when and from where. Pass the
 * transaction of the change, so the change and its record commit or vanish together.
 */
export async function recordAudit(db: SqlSession, request: FastifyRequest, e: AuthAuditEntry, now: number): Promise<void> {
  await new AuditRepository(db).append(
    {
      clientId: e.clientId,
      actor: e.actor ?? actorOf(request),
      sourceIp: sourceIp(request),
      action: e.action,
      target: e.target,
      details: e.details ?? {},
      result: e.result,
    },
    now,
  );
}

/** The client's address as an inet literal; a zone id (`fe80::1%eth0`) is not one. */
export function sourceIp(request: FastifyRequest): string | null {
  const ip = request.ip?.split('%')[0];
  return ip ? ip : null;
}

/** A username as typed, safe to record as an actor: printable, bounded, never empty. */
export function typedUsername(username: string): string {
  const clean = username.replace(/[^\x21-\x7e]/g, '?').slice(0, 100);
  return clean === '' ? '?' : clean;
}
