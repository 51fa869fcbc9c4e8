import type { FastifyRequest } from 'fastify';
import { ApiError, badParameter } from '../errors/api-error.ts';
import { clip } from './metrics-query-params.ts';

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

interface PartSchema {
  properties?: Record<string, unknown>;
  patternProperties?: Record<string, unknown>;
}

/**
 * Turns a Fastify schema-validation failure into the API's error shape, naming the parameter
 * (a 400 without the name would leave the caller guessing which of ten was wrong).
 */
export function validationToApiError(err: { validation: AjvError[]; validationContext?: string }, request: FastifyRequest): ApiError {
  const context = err.validationContext === 'params' ? 'params' : err.validationContext === 'body' ? 'body' : 'querystring';
  const raw = context === 'params' ? request.params : context === 'body' ? request.body : request.query;
  const first = err.validation[0];
  if (!first) return new ApiError('BAD_PARAMETER', 'invalid request');
  if (context === 'body' && first.instancePath === '' && first.keyword === 'type') {
    // No body where one field is required: name that field, as the caller most likely forgot it.
    const required = (request.routeOptions.schema?.body as { required?: string[] } | undefined)?.required ?? [];
    if ((raw === undefined || raw === null) && required[0]) return badParameter(required[0], 'is required');
    // A body that is not a JSON object at all (an array, a string, null).
    return badParameter('body', 'must be a JSON object');
  }
  const given = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') {
    const schema = (request.routeOptions.schema?.[context] ?? {}) as PartSchema;
    const known = Object.keys(schema.properties ?? {});
    const patterns = Object.keys(schema.patternProperties ?? {}).map((p) => new RegExp(p));
    const unknown = Object.keys(given).filter((k) => !known.includes(k) && !patterns.some((p) => p.test(k)));
    const name = String(first.params.additionalProperty ?? unknown[0]);
    const shown = (unknown.length > 0 ? unknown : [name]).map(clip);
    const knownText = [...known, ...(patterns.length > 0 ? ['match[<label>]'] : [])].join(', ');
    return badParameter(clip(name), `unknown parameter${shown.length > 1 ? 's' : ''} ${shown.join(', ')}; known: ${knownText}`);
  }
  const segments = first.instancePath.split('/').slice(1).map(decodePointer);
  // `volumeIds/1` names `volumeIds[1]`: the item that is wrong, not just its list.
  const name = segments.length > 0 ? fieldPath(segments) : String(first.params.missingProperty ?? '');
  const value = segments.length > 0 ? valueAt(given, segments) : given[name];
  switch (first.keyword) {
    case 'type':
      // A repeated query parameter arrives as an array; in a body an array is just the wrong type.
      return badParameter(name, context !== 'body' && Array.isArray(value) ? 'give it once' : `must be a ${String(first.params.type)}`);
    case 'enum':
      return badParameter(name, `"${clip(String(value))}" is not one of ${(first.params.allowedValues as string[]).join(', ')}`);
    case 'maxLength':
      return badParameter(name, `is longer than ${String(first.params.limit)} characters`);
    case 'maxItems':
      return badParameter(
        name,
        context === 'body' ? `has more than ${String(first.params.limit)} items` : `given more than ${String(first.params.limit)} times`,
      );
    case 'pattern':
      return badParameter(name, `"${clip(String(value))}" does not match ${String(first.params.pattern)}`);
    case 'required':
      return badParameter(name, 'is required');
    default:
      return badParameter(name, first.message ?? 'is invalid');
  }
}

function fieldPath(segments: string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) && i > 0 ? `[${s}]` : i > 0 ? `.${s}` : s)).join('');
}

function valueAt(root: Record<string, unknown>, segments: string[]): unknown {
  let v: unknown = root;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** JSON Pointer segments escape `/` and `~`. */
function decodePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
