import { ApiError } from '../errors/api-error.ts';
import type { SqlSession } from '../state/metadata-store.ts';
import { SessionRepository } from '../state/repositories/session-repository.ts';
import { TenantRepository } from '../state/repositories/tenant-repository.ts';
import { type UserChange, type UserRecord, UserRepository } from '../state/repositories/user-repository.ts';
import { forbidden } from './auth-errors.ts';
import { principalOf } from './principal.ts';
import { clientFor, notFound } from './tenant-scope.ts';

/**
 * Refuses a change that would leave no enabled hub-wide admin — nobody could then manage
 * the hub. Call it before the change: it locks the hub admins' rows, so two such changes
 * at once cannot both pass.
 */
export async function keepOneHubAdmin(
  tx: SqlSession,
  before: UserRecord,
  after: Pick<UserRecord, 'role' | 'clientId' | 'disabled'> | null,
): Promise<void> {
  const wasHubAdmin = before.role === 'admin' && before.clientId === null && !before.disabled;
  const staysHubAdmin = after !== null && after.role === 'admin' && after.clientId === null && !after.disabled;
  if (!wasHubAdmin || staysHubAdmin) return;
  const admins = await new UserRepository(tx).lockHubAdmins();
  if (admins.length <= 1 && admins.includes(before.id)) {
    throw new ApiError('CONFLICT', `${before.username} is the last enabled hub-wide admin: make another one first`, 'id');
  }
}

/**
 * The client a new or moved user belongs to: checked against the caller (a tenant's
 * admin keeps users in their tenant) and against the store (an unknown client is a 404
 * naming the field, not a foreign-key error).
 */
export async function userClient(db: SqlSession, request: unknown, named: string | null | undefined): Promise<string | null> {
  if (named === null && principalOf(request).clientId !== null) throw forbidden('only hub staff may make a hub-wide user', 'clientId');
  const clientId = clientFor(request, named);
  if (clientId !== null && !(await new TenantRepository(db).getClient(clientId))) throw notFound('client', clientId, 'clientId');
  return clientId;
}

/**
 * Applies an admin's change to a user in `tx`: the last-admin guard, and ending the
 * user's sessions when the password is reset or the account disabled (a stolen session
 * must not outlive the reset meant to stop it).
 */
export async function changeUser(tx: SqlSession, before: UserRecord, change: UserChange, now: number): Promise<UserRecord> {
  const clientId = change.clientId === undefined ? before.clientId : change.clientId;
  await keepOneHubAdmin(tx, before, { role: change.role ?? before.role, clientId, disabled: change.disabled ?? before.disabled });
  const after = await new UserRepository(tx).update(before.id, change, now);
  if (change.passwordHash !== undefined || (change.disabled === true && !before.disabled)) {
    await new SessionRepository(tx).deleteForUser(before.id);
  }
  return after;
}

/** The fields a change touched, for the audit record (values only where they say who may do what). */
export function changeDetails(change: UserChange): Record<string, unknown> {
  const fields = Object.keys(change)
    .filter((k) => change[k as keyof UserChange] !== undefined)
    .map((k) => (k === 'passwordHash' ? 'password' : k));
  return {
    fields,
    ...(change.role !== undefined ? { role: change.role } : {}),
    ...(change.clientId !== undefined ? { clientId: change.clientId } : {}),
    ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
  };
}
