import { Ajv } from 'ajv';
import type { FastifySchema } from 'fastify';
import { validated } from '../auth/schemas.ts';

// Fastify's shared Ajv coerces types ("2" → 2) so that query strings validate; a change's JSON
// body must not be coerced: a duration sent as text is a client bug, refused naming the field.
// strictNumbers: 1e309 in JSON parses to Infinity, which Ajv would otherwise take as an integer.
const strict = new Ajv({
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  allErrors: false,
  strict: false,
  strictNumbers: true,
});
// The one format these routes' schemas use; the same expression as Fastify's own (ajv-formats).
strict.addFormat('uuid', /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i);

/**
 * A route-level validator compiler that validates without coercion, for routes whose body
 * schema documents and enforces exactly what a client must send. Its parts need no coercion
 * either (string path parameters, string query parameters).
 */
export function strictValidator({ schema }: { schema: object }) {
  return strict.compile(schema);
}

/**
 * Route options for the account routes: their schema, validated without coercion (a
 * username sent as 123 or a flag sent as "true" is refused, not stored as "123" / true),
 * with the formatter that names the refused field.
 */
export function strictlyValidated(schema: FastifySchema) {
  return { ...validated(schema), validatorCompiler: strictValidator };
}
