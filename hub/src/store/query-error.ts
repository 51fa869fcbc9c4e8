import { StoreError } from './store-error.ts';

/**
 * The store refused a query because of what the caller asked (not because storage failed),
 * e.g. a regex ClickHouse's RE2 cannot compile. The API answers it with a 400.
 */
export class InvalidQueryError extends StoreError {
  constructor(
    message: string,
    /** The offending input, e.g. the regex as given. */
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // StoreError types `name` as its own literal; set ours at run time for logs.
    Object.defineProperty(this, 'name', { value: 'InvalidQueryError' });
  }
}

/** ClickHouse's error 427 CANNOT_COMPILE_REGEXP, over chDB and over a server alike. */
export function isRegexCompileError(err: unknown): boolean {
  const e = err as { code?: unknown; type?: unknown };
  return String(e?.code) === '427' || e?.type === 'CANNOT_COMPILE_REGEXP';
}
