import type { ApiTokenRecord } from '../state/repositories/api-token-repository.ts';
import type { EnrolmentTokenRecord } from '../state/repositories/enrolment-token-repository.ts';
import type { UserRecord } from '../state/repositories/user-repository.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** What the API shows of a user: never the password hash (the record does not carry it). */
export function userView(u: UserRecord) {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    role: u.role,
    clientId: u.clientId,
    disabled: u.disabled,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
    passwordChangedAt: iso(u.passwordChangedAt),
  };
}

/** An API token as lists show it: its prefix, never the token or its hash. */
export function apiTokenView(t: ApiTokenRecord, now: number) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    owner: t.username,
    role: t.role,
    clientId: t.clientId,
    createdAt: iso(t.createdAt),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
    revokedAt: isoOrNull(t.revokedAt),
    active: t.revokedAt === null && t.expiresAt > now,
  };
}

export function enrolmentTokenView(t: EnrolmentTokenRecord, now: number) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    clientId: t.clientId,
    clusterId: t.clusterId,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt),
    expiresAt: isoOrNull(t.expiresAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
    revokedAt: isoOrNull(t.revokedAt),
    active: t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now),
  };
}
