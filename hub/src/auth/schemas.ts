import type { FastifySchema } from 'fastify';
import { USERNAME_PATTERN } from '../state/repositories/user-repository.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-hash.ts';
import { ROLES } from './roles.ts';
import { schemaError } from './schema-error.ts';

/**
 * JSON schemas of the account routes. Every object refuses unknown fields (the API server
 * keeps Ajv from silently dropping them), so a typo is a 400 naming it, not an ignored field.
 */
export const username = { type: 'string', minLength: 1, maxLength: 64, pattern: USERNAME_PATTERN } as const;
export const newPassword = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH } as const;
export const anyPassword = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
export const displayName = { type: 'string', maxLength: 200 } as const;
export const role = { type: 'string', enum: [...ROLES] } as const;
/** Client ids are what agents name their tenant: printable, no spaces or slashes. */
export const clientId = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
export const clusterId = clientId;
export const uuid = { type: 'string', format: 'uuid' } as const;

export function object(properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: 'object', additionalProperties: false, required, properties, ...extra } as const;
}

/** Route options with the schema and the formatter that names the refused field. */
export function validated(schema: FastifySchema) {
  return { schema, schemaErrorFormatter: schemaError };
}
