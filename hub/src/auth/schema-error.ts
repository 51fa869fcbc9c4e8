import type { FastifySchemaValidationError } from 'fastify';
import { ApiError, badParameter } from '../errors/api-error.ts';

/**
 * A schema refusal as the API's 400 naming the field, body fields included (`client.id`,
 * `roles[2]`), where the API's shared formatter names query and path parameters only.
 * Give it to a route as `schemaErrorFormatter`; it returns an ApiError, which the error
 * handler serves as is.
 */
export function schemaError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const e = errors[0];
  const part = dataVar === 'body' ? 'body' : dataVar === 'params' ? 'path' : 'query';
  if (!e) return new ApiError('BAD_PARAMETER', `invalid ${part}`);
  const params = e.params as Record<string, unknown>;
  const child =
    e.keyword === 'required' ? params.missingProperty : e.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  const field = fieldName(e.instancePath, child === undefined ? undefined : String(child));
  if (field === '' && e.keyword === 'minProperties') return badParameter(part, 'must name at least one field');
  if (field === '') return badParameter(part, part === 'body' ? 'must be a JSON object' : (e.message ?? 'is invalid'));
  switch (e.keyword) {
    case 'required':
      return badParameter(field, 'is required');
    case 'additionalProperties':
      return badParameter(field, 'is not a known field');
    case 'type':
      return badParameter(field, `must be ${article(String(params.type))}`);
    case 'enum':
      return badParameter(field, `must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
    case 'minLength':
      return badParameter(field, Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${params.limit} characters`);
    case 'maxLength':
      return badParameter(field, `must be at most ${params.limit} characters`);
    case 'pattern':
      return badParameter(field, `must match ${params.pattern}`);
    case 'minimum':
    case 'maximum':
      return badParameter(field, `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${params.limit}`);
    case 'format':
      return badParameter(field, `must be a ${params.format}`);
    default:
      return badParameter(field, e.message ?? 'is invalid');
  }
}

/** JSON Pointer `/client/tags/2` (+ a child) → `client.tags[2]`. */
function fieldName(pointer: string, child: string | undefined): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (child !== undefined) segments.push(child);
  return segments.reduce((name, s) => (/^\d+$/.test(s) ? `${name}[${s}]` : name === '' ? s : `${name}.${s}`), '');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
