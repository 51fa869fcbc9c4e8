/** The JSON-schema subset the API's body schemas use (route schemas, and the fuzz's own for hand-read bodies). */
export interface FieldSchema {
  type?: string | string[];
  anyOf?: FieldSchema[];
  enum?: readonly unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  items?: FieldSchema;
  /** Hand-read fields: BodyReader refuses an id list naming one twice. */
  uniqueItems?: boolean;
  properties?: Record<string, FieldSchema>;
  additionalProperties?: boolean;
  required?: readonly string[];
  minProperties?: number;
}

export interface BodySchema extends FieldSchema {
  properties: Record<string, FieldSchema>;
}

/** One invalid body: its raw JSON text and the field a 400 must name. */
export interface Mutation {
  kind: string;
  payload: string;
  field: string;
}

const typesOf = (s: FieldSchema): string[] => {
  if (s.anyOf) return s.anyOf.flatMap(typesOf);
  if (s.const !== undefined) return [typeof s.const];
  if (s.enum) return [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)))];
  return [s.type ?? 'any'].flat();
};

/** JSON literals of each type, so "wrong type" always has one the field does not take. */
const OF_TYPE: Record<string, string[]> = {
  string: ['"5"', '"true"', '""', '"null"'],
  number: ['5', '1.5', '-0', '1e309'],
  integer: ['5', '0'],
  boolean: ['true', 'false'],
  null: ['null'],
  array: ['[]', '["5"]', '[1]'],
  object: ['{}', '{"a":1}'],
};

/**
 * Values of a type the field refuses. A string field also refuses numbers and booleans (the
 * API never coerces a body), an integer field refuses fractions, and a one-element array
 * is not its element.
 */
function wrongTypes(s: FieldSchema, valid: unknown): string[] {
  const ok = new Set(typesOf(s));
  if (ok.has('any')) return [];
  if (ok.has('number')) ok.add('integer');
  const out: string[] = [];
  for (const [t, literals] of Object.entries(OF_TYPE)) {
    // Whole numbers are numbers: an integer field's wrong numbers are the fractions and overflows below.
    if (ok.has(t) || (t === 'integer' && ok.has('number')) || (t === 'number' && ok.has('integer'))) continue;
    out.push(...literals);
  }
  if (ok.has('integer') && !ok.has('number')) out.push('1.5', '1e309', '-1e309');
  if (valid !== undefined && !ok.has('array')) out.push(`[${JSON.stringify(valid)}]`);
  return out;
}

/** Values inside the field's type but outside its limits (length, range, pattern, enum, format, items). */
function outOfRange(s: FieldSchema): string[] {
  const out: string[] = [];
  const t = typesOf(s);
  if (t.includes('string') && !s.anyOf) {
    if (s.maxLength !== undefined) out.push(JSON.stringify('x'.repeat(s.maxLength + 1)), JSON.stringify('ü'.repeat(s.maxLength * 4 + 4)));
    if ((s.minLength ?? 0) > 0) out.push('""');
    if (s.pattern || s.format) out.push('"bad id/ü"', '" leading-space"', '"\\u0000"', '"-x"');
    if (s.enum || s.const !== undefined) out.push('"not-one-of-them"', '"TERMINATE"');
  }
  if (t.includes('integer') || t.includes('number')) {
    if (s.minimum !== undefined) out.push(String(s.minimum - 1), '-1e309');
    if (s.exclusiveMinimum !== undefined) out.push(String(s.exclusiveMinimum), '-0', '-1e309');
    if (s.maximum !== undefined) out.push(String(s.maximum + 1), '1e309', '123456789012345678901234567890');
  }
  if (t.includes('array') && s.items) {
    if (s.maxItems !== undefined) out.push(JSON.stringify(Array.from({ length: s.maxItems + 1 }, (_, i) => `x${i}`)));
    if ((s.minItems ?? 0) > 0) out.push('[]');
    out.push('[null]', '[5]', '["bad id/ü"]', '[["nested"]]');
  }
  return out;
}

/**
 * Every invalid variant of `valid` the schema implies: each required field dropped, an
 * unknown field added, each field given a wrong type and each out of its limits, and an
 * empty object where at least one field is due. Each mutation changes one field of an
 * otherwise valid body, so a 2xx for it is a validation gap in the route.
 */
export function mutationsOf(schema: BodySchema, valid: Record<string, unknown>): Mutation[] {
  const out: Mutation[] = [];
  const withField = (name: string, literal: string | undefined): string => {
    const parts = Object.entries(valid)
      .filter(([k]) => k !== name)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    if (literal !== undefined) parts.push(`${JSON.stringify(name)}:${literal}`);
    return `{${parts.join(',')}}`;
  };
  for (const name of schema.required ?? []) out.push({ kind: 'drop-required', payload: withField(name, undefined), field: name });
  out.push({ kind: 'unknown-field', payload: withField('unknownField', '1'), field: 'unknownField' });
  out.push({ kind: 'unknown-field', payload: withField('Username', '"x"'), field: 'Username' });
  if ((schema.minProperties ?? 0) > 0) out.push({ kind: 'empty-object', payload: '{}', field: 'body' });
  for (const [name, field] of Object.entries(schema.properties)) {
    for (const literal of wrongTypes(field, valid[name])) out.push({ kind: 'wrong-type', payload: withField(name, literal), field: name });
    for (const literal of outOfRange(field)) out.push({ kind: 'out-of-range', payload: withField(name, literal), field: name });
    if (field.uniqueItems && Array.isArray(valid[name]) && valid[name].length > 0) {
      const first = (valid[name] as unknown[])[0];
      out.push({ kind: 'duplicate-item', payload: withField(name, JSON.stringify([first, first])), field: name });
    }
  }
  return out;
}
