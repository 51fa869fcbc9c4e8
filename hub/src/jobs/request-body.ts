import { badParameter } from '../errors/api-error.ts';

/**
 * Reads a JSON request body field by field and refuses anything off: unknown fields,
 * wrong types, negative or fractional numbers where a count is due, malformed ids. Every
 * refusal is a 400 that names the field (`volumeIds[2]`, `filters.minSizeGib`), and it
 * happens before anything changes. Hand-written rather than a Fastify body schema: the
 * API's schema errors name query and path parameters only, and Ajv would coerce "5" to 5.
 */
export class BodyReader {
  private constructor(
    private readonly body: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** `body` must be an object with only `known` fields; an absent body reads as `{}`. */
  static of(body: unknown, known: readonly string[], path = ''): BodyReader {
    const name = path || 'body';
    if (body === undefined || body === null) return new BodyReader({}, path);
    if (typeof body !== 'object' || Array.isArray(body)) throw badParameter(name, 'must be a JSON object');
    const unknown = Object.keys(body).filter((k) => !known.includes(k));
    if (unknown.length > 0) {
      const field = `${path ? `${path}.` : ''}${unknown[0]}`;
      throw badParameter(field, `unknown field${unknown.length > 1 ? `s ${unknown.join(', ')}` : ''}; known: ${known.join(', ')}`);
    }
    return new BodyReader(body as Record<string, unknown>, path);
  }

  has(name: string): boolean {
    return this.body[name] !== undefined;
  }

  string(name: string, o: { required?: boolean; max?: number; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const v = this.body[name];
    if (v === undefined) return this.missing(name, o.required);
    if (typeof v !== 'string') throw badParameter(this.field(name), 'must be a string');
    if (o.max !== undefined && v.length > o.max) throw badParameter(this.field(name), `is longer than ${o.max} characters`);
    if (o.pattern && !o.pattern.test(v)) throw badParameter(this.field(name), `"${clip(v)}" is not ${o.hint ?? `like ${o.pattern}`}`);
    return v;
  }

  boolean(name: string, o: { required?: boolean } = {}): boolean | undefined {
    const v = this.body[name];
    if (v === undefined) return this.missing(name, o.required);
    if (typeof v !== 'boolean') throw badParameter(this.field(name), 'must be true or false');
    return v;
  }

  /** A whole number within [min, max]. */
  integer(name: string, o: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.body[name];
    if (v === undefined) return this.missing(name, o.required);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw badParameter(this.field(name), 'must be a whole number');
    if (o.min !== undefined && v < o.min) throw badParameter(this.field(name), `must be at least ${o.min}`);
    if (o.max !== undefined && v > o.max) throw badParameter(this.field(name), `must be at most ${o.max}`);
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[], o: { required?: boolean } = {}): T | undefined {
    const v = this.body[name];
    if (v === undefined) return this.missing(name, o.required);
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      throw badParameter(this.field(name), `must be one of ${values.join(', ')}`);
    }
    return v as T;
  }

  /** Distinct strings matching `pattern`; a repeated or malformed one is named by index. */
  ids(name: string, o: { required?: boolean; pattern: RegExp; hint: string; max: number; min?: number }): string[] | undefined {
    const v = this.body[name];
    if (v === undefined) return this.missing(name, o.required);
    if (!Array.isArray(v)) throw badParameter(this.field(name), 'must be an array');
    if (v.length < (o.min ?? 0)) throw badParameter(this.field(name), `needs at least ${o.min} item(s)`);
    if (v.length > o.max) throw badParameter(this.field(name), `has more than ${o.max} items`);
    const seen = new Set<string>();
    v.forEach((id, i) => {
      const at = `${this.field(name)}[${i}]`;
      if (typeof id !== 'string' || !o.pattern.test(id)) throw badParameter(at, `${JSON.stringify(clip(String(id)))} is not ${o.hint}`);
      if (seen.has(id)) throw badParameter(at, `${id} is given twice`);
      seen.add(id);
    });
    return v as string[];
  }

  private field(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  private missing(name: string, required: boolean | undefined): undefined {
    if (required) throw badParameter(this.field(name), 'is required');
    return undefined;
  }
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
