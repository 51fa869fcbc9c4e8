/**
 * Why a metadata operation failed. Callers branch on the code, never on the message;
 * `cause` keeps the driver's error, `sqlState` and `constraint` what PostgreSQL reported.
 */
export type MetadataErrorCode =
  /** The database cannot be reached or opened, the connection broke, or the store is closed. */
  | 'unavailable'
  /** Another process holds what this one needs: the PGlite data directory, or the migration lock past its timeout. */
  | 'locked'
  /** A unique or exclusion constraint refused the row, or concurrent transactions collided (serialization failure, deadlock): retrying may succeed. */
  | 'conflict'
  /** A foreign key, check or not-null constraint refused the row. */
  | 'constraint'
  /** A value PostgreSQL cannot take (a malformed uuid or IP address, a number out of range). */
  | 'invalid_input'
  /** The row an operation names does not exist. */
  | 'not_found'
  /** The row exists but its state forbids the operation (e.g. advancing a finished decision). */
  | 'invalid_state'
  /** UPDATE, DELETE or TRUNCATE of an append-only table (the audit log). */
  | 'append_only'
  /** A migration's SQL failed (it was rolled back), or applied migrations differ from the code's. */
  | 'migration_failed'
  /** The database has a migration newer than this code knows: an older hub must not write to it. */
  | 'schema_too_new'
  /** The API was used in a way that would deadlock or escape a transaction. */
  | 'misuse'
  /** Anything else PostgreSQL refused (syntax errors, missing tables before migrate()). */
  | 'query_failed';

export class MetadataStoreError extends Error {
  override readonly name = 'MetadataStoreError';
  readonly sqlState: string | undefined;
  readonly constraint: string | undefined;

  constructor(
    readonly code: MetadataErrorCode,
    message: string,
    options: { cause?: unknown; sqlState?: string; constraint?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.sqlState = options.sqlState;
    this.constraint = options.constraint;
  }
}

/** HTTP status of each code, for the API's error registry. */
export const METADATA_ERROR_HTTP_STATUS: Record<MetadataErrorCode, number> = {
  unavailable: 503,
  locked: 503,
  conflict: 409,
  constraint: 422,
  invalid_input: 400,
  not_found: 404,
  invalid_state: 409,
  append_only: 405,
  migration_failed: 500,
  schema_too_new: 500,
  misuse: 500,
  query_failed: 500,
};

/** SQLSTATE our audit trigger raises (a custom class, so no PostgreSQL error is mistaken for it). */
export const APPEND_ONLY_SQLSTATE = 'BA001';

interface DriverErrorFields {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  syscall?: unknown;
}

/**
 * Maps a pg or PGlite error to a {@link MetadataStoreError}; both report PostgreSQL's
 * SQLSTATE in `code`. Node socket errors (ECONNREFUSED…) and pg's own connection errors
 * carry no SQLSTATE and count as unavailable. Already-mapped errors pass through.
 */
export function toMetadataError(err: unknown, context: string): MetadataStoreError {
  if (err instanceof MetadataStoreError) return err;
  const fields = (typeof err === 'object' && err !== null ? err : {}) as DriverErrorFields;
  // Node's socket errors (ECONNREFUSED, EPIPE…) have a syscall; EPIPE would otherwise pass for a SQLSTATE.
  const fromSocket = typeof fields.syscall === 'string' || err instanceof AggregateError;
  const state = !fromSocket && typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code) ? fields.code : undefined;
  const constraint = typeof fields.constraint === 'string' ? fields.constraint : undefined;
  const detail = typeof fields.message === 'string' && fields.message !== '' ? fields.message : String(fields.code ?? err);
  const code = fromSocket ? 'unavailable' : codeOf(state, detail);
  return new MetadataStoreError(code, `${context}: ${detail}`, { cause: err, sqlState: state, constraint });
}

function codeOf(state: string | undefined, message: string): MetadataErrorCode {
  // No SQLSTATE: pg's own connection errors ("Connection terminated", "timeout exceeded when trying to connect").
  if (state === undefined) return /connect|terminat|timeout|closed|ended/i.test(message) ? 'unavailable' : 'query_failed';
  if (state === APPEND_ONLY_SQLSTATE) return 'append_only';
  if (state === '23505' || state === '23P01' || state === '40001' || state === '40P01') return 'conflict';
  if (state.startsWith('23')) return 'constraint';
  if (state.startsWith('22')) return 'invalid_input';
  // Connection failures, shutdowns, too many clients, bad credentials, missing database: nothing this call can fix.
  if (state.startsWith('08') || state.startsWith('57P') || state.startsWith('28') || state === '53300' || state === '3D000')
    return 'unavailable';
  return 'query_failed';
}
