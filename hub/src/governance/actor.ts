import type { FastifyRequest } from 'fastify';
import { badParameter } from '../errors/api-error.ts';

/** Who a request acts for. Until sign-in exists it is taken on trust from a header; the auth issue replaces this one function. */
export type ActorOf = (request: FastifyRequest) => string;

export const ACTOR_HEADER = 'X-Ballast-Actor';
/** The actor of requests that name none. */
export const DEFAULT_ACTOR = 'api';

const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;

/**
 * The `X-Ballast-Actor` header, or "api" without one. A header that is empty, repeated,
 * longer than 200 characters or not printable ASCII is refused (400 naming it) rather than
 * recorded in the audit log as something nobody typed.
 */
export const headerActor: ActorOf = (request) => {
  const value = request.headers[ACTOR_HEADER.toLowerCase()];
  if (value === undefined) return DEFAULT_ACTOR;
  if (Array.isArray(value)) throw badParameter(ACTOR_HEADER, 'give it once');
  if (!PRINTABLE.test(value))
    throw badParameter(ACTOR_HEADER, 'must be 1 to 200 printable ASCII characters, not starting or ending with a space');
  return value;
};

/** The client's address for the audit log (Fastify's view: the socket, or the proxy's header when trustProxy is set). */
export function sourceIpOf(request: FastifyRequest): string | null {
  return request.ip || null;
}
