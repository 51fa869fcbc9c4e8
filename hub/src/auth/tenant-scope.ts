import { ApiError } from '../errors/api-error.ts';
import { principalOf } from './principal.ts';

/**
 * Whether the caller may see an object of `clientId` (null: a hub-wide object, such as
 * a hub staff user, which only hub staff see).
 */
export function canSee(request: unknown, clientId: string | null): boolean {
  const own = principalOf(request).clientId;
  return own === null || own === clientId;
}

/**
 * `object` when the caller's tenant may see it; otherwise the very 404 an unknown id gets,
 * so a tenant never learns that another tenant's object exists. Use it wherever a route
 * looks an object up by id.
 */
export function visibleOr404<T extends { clientId: string | null }>(
  request: unknown,
  object: T | null | undefined,
  what: string,
  id: string,
): T {
  if (!object || !canSee(request, object.clientId)) throw notFound(what, id);
  return object;
}

export function notFound(what: string, id: string, parameter = 'id'): ApiError {
  return new ApiError('NOT_FOUND', `no ${what} ${id}`, parameter);
}

/**
 * The client a request names (a body field or query parameter), checked against the
 * caller: hub staff may name any client or none (null: hub-wide); a tenant's user gets
 * their own when they name none, and a 404 for any other, as if it did not exist.
 */
export function clientFor(request: unknown, named: string | null | undefined, parameter = 'clientId'): string | null {
  const own = principalOf(request).clientId;
  if (own === null) return named ?? null;
  if (named === undefined || named === own) return own;
  throw notFound('client', String(named), parameter);
}
