import type { SqlParam } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';

/** A timestamptz column (Date from both drivers) as epoch milliseconds, the unit of Clock.now(). */
export function toMs(v: Date | string | number): number {
  return v instanceof Date ? v.getTime() : new Date(v).getTime();
}

export function toMsOrNull(v: Date | string | number | null): number | null {
  return v === null ? null : toMs(v);
}

/** A numeric column (a string from both drivers, to keep its precision) as a number. */
export function toNumberOrNull(v: string | number | null): number | null {
  return v === null ? null : Number(v);
}

/** A timestamp parameter; refuses NaN and the like before PostgreSQL sees "Invalid Date". */
export function at(ms: number, what: string): Date {
  if (!Number.isFinite(ms)) throw new MetadataStoreError('invalid_input', `${what} must be a finite epoch-millisecond time, got ${ms}`);
  return new Date(ms);
}

/** A jsonb parameter: always a JSON string with a ::jsonb cast, see metadata-store.ts. */
export function json(v: unknown): string {
  return JSON.stringify(v);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name a uuid row; an id that cannot exist is "not found", not a query error. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/**
 * WHERE clauses built from constant fragments, with every value bound: `add('kind = ?', v)`
 * turns each `?` into the next `$n`. Fragments are code, never input (and so cannot use the
 * jsonb `?` operator).
 */
export class Conditions {
  readonly params: SqlParam[] = [];
  private readonly clauses: string[] = [];

  add(fragment: string, ...values: SqlParam[]): this {
    let i = 0;
    const sql = fragment.replace(/\?/g, () => {
      const value = values[i++];
      if (value === undefined) throw new Error(`Conditions.add: fewer values than placeholders in "${fragment}"`);
      this.params.push(value);
      return `$${this.params.length}`;
    });
    if (i !== values.length) throw new Error(`Conditions.add: more values than placeholders in "${fragment}"`);
    this.clauses.push(sql);
    return this;
  }

  /** Binds one more value (e.g. LIMIT) and returns its placeholder. */
  bind(value: SqlParam): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  where(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}
