import { describe, expect, it } from 'vitest';
import { type MetadataStore, TenantRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, rejection, T0, tag } from './context.ts';

export function describeTransactions(ctx: ContractContext): void {
  const { open } = ctx;
  describe('transactions', () => {
    const clientCount = async (id: string) =>
      (await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM clients WHERE id = $1', [id])).rows[0]?.n;

    it('commit when the callback resolves and hand back its value', async () => {
      const id = `tx-${tag()}`;
      const value = await ctx.store.transaction(async (tx) => {
        await new TenantRepository(tx).createClient({ id, name: 'A' }, T0);
        return 42;
      });
      expect(value).toBe(42);
      expect(await clientCount(id)).toBe(1);
    });

    it("roll back when the callback throws, rethrowing the callback's own error untouched", async () => {
      const id = `tx-${tag()}`;
      const boom = new Error('boom');
      await expect(
        ctx.store.transaction(async (tx) => {
          await new TenantRepository(tx).createClient({ id, name: 'A' }, T0);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await clientCount(id)).toBe(0);
    });

    it('roll back every earlier statement when a later one is refused by the database', async () => {
      const first = `tx-${tag()}`;
      const err = await rejection(
        ctx.store.transaction(async (tx) => {
          const repo = new TenantRepository(tx);
          await repo.createClient({ id: first, name: 'A' }, T0);
          await repo.createClient({ id: first, name: 'again' }, T0);
        }),
      );
      expect(err.code).toBe('conflict');
      expect(await clientCount(first)).toBe(0);
    });

    it('nest as savepoints: an inner failure undoes only the inner work, an outer failure undoes all', async () => {
      const [a, b, c, d] = [tag(), tag(), tag(), tag()].map((t) => `tx-${t}`) as [string, string, string, string];
      await ctx.store.transaction(async (tx) => {
        const repo = new TenantRepository(tx);
        await repo.createClient({ id: a, name: 'A' }, T0);
        await expect(
          tx.transaction(async (inner) => {
            await new TenantRepository(inner).createClient({ id: b, name: 'B' }, T0);
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
        await repo.createClient({ id: c, name: 'C' }, T0);
      });
      expect([await clientCount(a), await clientCount(b), await clientCount(c)]).toEqual([1, 0, 1]);

      await expect(
        ctx.store.transaction(async (tx) => {
          await tx.transaction((inner) => new TenantRepository(inner).createClient({ id: d, name: 'D' }, T0));
          throw new Error('outer');
        }),
      ).rejects.toThrow('outer');
      expect(await clientCount(d)).toBe(0);
    });

    it('refuse the store inside its own transaction, a tx after it ended, and the outer tx while a nested one runs', async () => {
      let leaked: Parameters<Parameters<MetadataStore['transaction']>[0]>[0] | null = null;
      const inside = await rejection(
        ctx.store.transaction(async (tx) => {
          leaked = tx;
          await ctx.store.query('SELECT 1');
        }),
      );
      expect(inside.code).toBe('misuse');
      expect((await rejection(ctx.store.transaction(async () => ctx.store.transaction(async () => 1)))).code).toBe('misuse');
      expect((await rejection((leaked as unknown as MetadataStore).query('SELECT 1'))).code).toBe('misuse');
      const interleaved = await rejection(ctx.store.transaction(async (tx) => tx.transaction(async () => tx.query('SELECT 1'))));
      expect(interleaved.code).toBe('misuse');
      expect((await ctx.store.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('keep uncommitted writes invisible to queries outside the transaction', async () => {
      const id = `tx-${tag()}`;
      let inserted!: () => void;
      const insertedP = new Promise<void>((r) => {
        inserted = r;
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const tx = ctx.store.transaction(async (t) => {
        await new TenantRepository(t).createClient({ id, name: 'hidden' }, T0);
        inserted();
        await gate;
        throw new Error('abandon');
      });
      await insertedP;
      const outside = ctx.store.query('SELECT id FROM clients WHERE id = $1', [id]);
      release();
      await expect(tx).rejects.toThrow('abandon');
      expect((await outside).rows).toEqual([]);
    });

    it('reject every call after close(), which is safe twice', async () => {
      const s = await open(await ctx.fixture.createDatabase());
      await s.close();
      await s.close();
      expect((await rejection(s.query('SELECT 1'))).code).toBe('unavailable');
      expect((await rejection(s.migrate())).code).toBe('unavailable');
    });
  });
}
