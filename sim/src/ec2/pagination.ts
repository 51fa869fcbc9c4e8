import { errors } from './errors.ts';
import type { QueryParams } from './query-parser.ts';

export interface PageLimits {
  /** Page size when MaxResults is absent; Infinity means "everything in one page". */
  defaultSize: number;
  min: number;
  max: number;
}

interface Token {
  /** Which listing and filter the token belongs to: a token is not valid elsewhere. */
  s: string;
  o: number;
  /** Listing-specific state, such as the "now" a price listing was cut at. */
  x?: number;
}

export function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string, scope: string): Token {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    if (t.s !== scope || !Number.isInteger(t.o) || t.o < 0) throw new Error('scope');
    return t;
  } catch {
    throw errors.invalidToken();
  }
}

export interface PageRequest {
  size: number;
  offset: number;
  /** The `x` of the incoming token, if any. */
  state: number | undefined;
}

/** Reads MaxResults and NextToken; `scope` should capture the request's filters. */
export function pageRequest(params: QueryParams, scope: string, limits: PageLimits): PageRequest {
  const max = params.int('MaxResults');
  if (max !== undefined && (max < limits.min || max > limits.max)) {
    throw errors.invalidValue(
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  const text = params.string('NextToken');
  const token = text ? decodeToken(text, scope) : undefined;
  return { size: max ?? limits.defaultSize, offset: token?.o ?? 0, state: token?.x };
}

export function page<T>(
  items: readonly T[],
  req: PageRequest,
  scope: string,
  state?: number,
): { items: T[]; nextToken: string | undefined } {
  const end = req.offset + req.size;
  const slice = items.slice(req.offset, end);
  const nextToken = end < items.length ? encodeToken({ s: scope, o: end, ...(state === undefined ? {} : { x: state }) }) : undefined;
  return { items: slice, nextToken };
}
