import type { QueryResult, SqlParam, SqlSession } from './metadata-store.ts';
import { MetadataStoreError } from './metadata-store-error.ts';
import { type DriverConnection, runQuery } from './sql-driver.ts';

/**
 * The `tx` a transaction callback gets. It refuses use after its transaction ended (the
 * connection may already serve someone else) and while a nested savepoint of it is open
 * (statements would land in the savepoint, and its rollback would undo them).
 */
export class TransactionSession implements SqlSession {
  private ended = false;
  private child: TransactionSession | null = null;

  constructor(
    private readonly conn: DriverConnection,
    /** The store that opened the transaction. */
    readonly owner: object,
    private readonly describe: string,
    private readonly depth = 0,
  ) {}

  isOpen(): boolean {
    return !this.ended;
  }

  end(): void {
    this.ended = true;
    this.child?.end();
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<R>> {
    this.checkUsable('query');
    return runQuery<R>(this.conn, sql, params, this.describe);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.checkUsable('transaction');
    const savepoint = `ballast_sp_${this.depth + 1}`;
    await runQuery(this.conn, `SAVEPOINT ${savepoint}`, [], this.describe);
    const child = new TransactionSession(this.conn, this.owner, this.describe, this.depth + 1);
    this.child = child;
    try {
      const result = await fn(child);
      child.end();
      this.child = null;
      await runQuery(this.conn, `RELEASE SAVEPOINT ${savepoint}`, [], this.describe);
      return result;
    } catch (err) {
      child.end();
      this.child = null;
      await runQuery(this.conn, `ROLLBACK TO SAVEPOINT ${savepoint}`, [], this.describe);
      await runQuery(this.conn, `RELEASE SAVEPOINT ${savepoint}`, [], this.describe);
      throw err;
    }
  }

  private checkUsable(what: string): void {
    if (this.ended) throw new MetadataStoreError('misuse', `tx.${what}() after the transaction ended on ${this.describe}`);
    if (this.child)
      throw new MetadataStoreError('misuse', `tx.${what}() while a nested tx.transaction() is open on ${this.describe}: use the nested tx`);
  }
}
