import { describe, expect, it } from 'vitest';
import { type AuditEntry, AuditRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, MIN, rejection, T0 } from './context.ts';

export function describeAuditLog(ctx: ContractContext): void {
  const { tenant } = ctx;
  describe('audit log', () => {
    const audit = () => new AuditRepository(ctx.store);

    it('append entries and read them back, details and source IP included', async () => {
      const clientId = await tenant();
      const e = await audit().append(
        {
          clientId,
          actor: 'alice',
          sourceIp: '10.1.2.3',
          action: 'override.create',
          target: 'override:1',
          details: { reason: 'x' },
          result: 'success',
        },
        T0,
      );
      expect(e).toMatchObject({ clientId, actor: 'alice', sourceIp: '10.1.2.3', details: { reason: 'x' }, result: 'success', at: T0 });
      const page = await audit().list({ clientId });
      expect(page).toEqual({ items: [e], nextCursor: null });
    });

    it('refuse UPDATE, DELETE and TRUNCATE in the database itself', async () => {
      const clientId = await tenant();
      const e = await audit().append({ clientId, actor: 'alice', action: 'login', target: 'hub', result: 'success' }, T0);
      for (const sql of ["UPDATE audit_log SET actor = 'mallory' WHERE id = $1", 'DELETE FROM audit_log WHERE id = $1']) {
        const err = await rejection(ctx.store.query(sql, [e.id]));
        expect([err.code, err.sqlState]).toEqual(['append_only', 'BA001']);
      }
      expect((await rejection(ctx.store.query('TRUNCATE audit_log'))).code).toBe('append_only');
      expect((await audit().list({ clientId })).items).toEqual([e]);
    });

    it('filter by actor, action and time; page newest first without gaps or repeats', async () => {
      const clientId = await tenant();
      const made: AuditEntry[] = [];
      for (let i = 0; i < 7; i++) {
        made.push(
          await audit().append(
            {
              clientId,
              actor: i % 2 ? 'bob' : 'alice',
              action: i < 3 ? 'model.promote' : 'override.lift',
              target: `t${i}`,
              result: 'success',
            },
            T0 + i * MIN,
          ),
        );
      }
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await audit().list({ clientId, limit: 2, cursor });
        seen.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(made.map((m) => m.id).reverse());
      const targets = async (f: Partial<Parameters<AuditRepository['list']>[0]>) =>
        (await audit().list({ clientId, ...f })).items.map((x) => x.target);
      expect(await targets({ actor: 'bob' })).toEqual(['t5', 't3', 't1']);
      expect(await targets({ action: 'model.promote', from: T0 + MIN })).toEqual(['t2', 't1']);
      expect(await targets({ to: T0 + MIN })).toEqual(['t0']);
    });

    it('keep no entry from a rolled-back transaction', async () => {
      const clientId = await tenant();
      await expect(
        ctx.store.transaction(async (tx) => {
          await new AuditRepository(tx).append({ clientId, actor: 'a', action: 'x', target: 't', result: 'failure' }, T0);
          throw new Error('change failed');
        }),
      ).rejects.toThrow('change failed');
      expect((await audit().list({ clientId })).items).toEqual([]);
    });
  });
}
