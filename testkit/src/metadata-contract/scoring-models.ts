import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ScoringModelRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, HOUR, MIN, model, rejection, T0, tag } from './context.ts';

export function describeScoringModels(ctx: ContractContext): void {
  describe('scoring models', () => {
    const models = () => new ScoringModelRepository(ctx.store);
    const statusCount = async (status: string) =>
      (await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_models WHERE status = $1', [status])).rows[0]?.n;

    it('upload as inactive, read back the same JSON, refuse a second (name, version)', async () => {
      const name = `m-${tag()}`;
      const up = await models().upload({ model: model(name, 3), createdBy: 'alice' }, T0);
      expect(up).toMatchObject({ name, version: 3, status: 'inactive', createdAt: T0, createdBy: 'alice', promotedAt: null });
      expect(await models().get(up.id)).toEqual(up);
      expect(up.model).toEqual(model(name, 3));
      expect((await models().list()).some((m) => m.id === up.id)).toBe(true);
      expect((await rejection(models().upload({ model: model(name, 3), createdBy: 'bob' }, T0))).code).toBe('conflict');
      expect(await models().get('not-a-uuid')).toBeNull();
    });

    it('keep exactly one model active across promotions, stamping promotedAt', async () => {
      const a = await models().upload({ model: model(`a-${tag()}`), createdBy: 'ops' }, T0);
      const b = await models().upload({ model: model(`b-${tag()}`), createdBy: 'ops' }, T0);
      await models().promote(a.id, T0 + MIN);
      const promoted = await models().promote(b.id, T0 + 2 * MIN);
      expect(promoted).toMatchObject({ id: b.id, status: 'active', promotedAt: T0 + 2 * MIN });
      expect((await models().get(a.id))?.status).toBe('inactive');
      expect((await models().current()).active?.id).toBe(b.id);
      expect(await statusCount('active')).toBe(1);
      expect(await models().promote(b.id, T0 + 3 * MIN)).toMatchObject({ promotedAt: T0 + 2 * MIN });
      expect((await rejection(models().promote(randomUUID(), T0))).code).toBe('not_found');
    });

    it('let the database itself refuse a second active or shadow model', async () => {
      const [x, y] = [
        await models().upload({ model: model(`x-${tag()}`), createdBy: 'ops' }, T0),
        await models().upload({ model: model(`y-${tag()}`), createdBy: 'ops' }, T0),
      ];
      await models().promote(x.id, T0);
      const active = await rejection(
        ctx.store.query("UPDATE scoring_models SET status = 'active', promoted_at = $2 WHERE id = $1", [y.id, new Date(T0)]),
      );
      expect([active.code, active.constraint]).toEqual(['conflict', 'scoring_models_one_active']);
      await models().setShadow(y.id);
      const z = await models().upload({ model: model(`z-${tag()}`), createdBy: 'ops' }, T0);
      const shadow = await rejection(ctx.store.query("UPDATE scoring_models SET status = 'shadow' WHERE id = $1", [z.id]));
      expect([shadow.code, shadow.constraint]).toEqual(['conflict', 'scoring_models_one_shadow']);
    });

    it('promote concurrently without conflicts, ending with one active model', async () => {
      const ms = await Promise.all([1, 2, 3, 4].map((i) => models().upload({ model: model(`c${i}-${tag()}`), createdBy: 'ops' }, T0)));
      const results = await Promise.all(ms.map((m, i) => models().promote(m.id, T0 + i)));
      expect(results.every((r) => r.status === 'active')).toBe(true);
      expect(await statusCount('active')).toBe(1);
      expect(ms.map((m) => m.id)).toContain((await models().current()).active?.id);
    });

    it('undo a promotion whose surrounding transaction fails', async () => {
      const before = (await models().current()).active;
      const m = await models().upload({ model: model(`t-${tag()}`), createdBy: 'ops' }, T0);
      await expect(
        ctx.store.transaction(async (tx) => {
          await new ScoringModelRepository(tx).promote(m.id, T0);
          throw new Error('audit write failed');
        }),
      ).rejects.toThrow('audit write failed');
      expect((await models().current()).active?.id).toBe(before?.id);
      expect((await models().get(m.id))?.status).toBe('inactive');
    });

    it('run one shadow at a time; promoting the shadow empties the slot; the active model cannot shadow', async () => {
      const s1 = await models().upload({ model: model(`s1-${tag()}`), createdBy: 'ops' }, T0);
      const s2 = await models().upload({ model: model(`s2-${tag()}`), createdBy: 'ops' }, T0);
      await models().setShadow(s1.id);
      await models().setShadow(s2.id);
      expect((await models().get(s1.id))?.status).toBe('inactive');
      expect((await models().current()).shadow?.id).toBe(s2.id);
      await models().promote(s2.id, T0 + HOUR);
      expect(await models().current()).toMatchObject({ active: { id: s2.id }, shadow: null });
      expect((await rejection(models().setShadow(s2.id))).code).toBe('invalid_state');
      await models().setShadow(s1.id);
      expect((await models().clearShadow())?.id).toBe(s1.id);
      expect(await models().clearShadow()).toBeNull();
      expect(await statusCount('shadow')).toBe(0);
    });
  });
}
