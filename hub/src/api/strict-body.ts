import { Ajv } from 'ajv';

// Fastify's shared Ajv coerces types ("2" → 2) so that query strings validate; a change's JSON
// body must not be coerced: a duration sent as text is a client bug, refused naming the field.
const strict = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false });

/**
 * A route-level validator compiler that validates without coercion, for routes whose body
 * schema documents and enforces exactly what a client must send. Its parts need no coercion
 * either (string path parameters, empty query strings).
 */
export function strictValidator({ schema }: { schema: object }) {
  return strict.compile(schema);
}
