import { describe, expect, it } from 'vitest';
import { OverrideRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, HOUR, MIN, rejection, T0 } from './context.ts';

export function describeOverrides(ctx: ContractContext): void {
  const { tenant } = ctx;
  describe('overrides', () => {
    const overrides = () => new OverrideRepository(ctx.store);

    it('are active from creation until expiry (exclusive), never before; the time is the caller’s', async () => {
      const clientId = await tenant();
      const o = await overrides().create(
        { clientId, target: { level: 'cluster', clusterId: 'c1' }, reason: 'incident 42', createdBy: 'bob', expiresAt: T0 + HOUR },
        T0,
      );
      expect(o).toMatchObject({ level: 'cluster', clusterId: 'c1', targetId: 'c1', createdAt: T0, expiresAt: T0 + HOUR, liftedAt: null });
      const activeAt = async (t: number) => (await overrides().listActive({ clientId }, t)).map((x) => x.id);
      expect(await activeAt(T0 - 1)).toEqual([]);
      expect(await activeAt(T0)).toEqual([o.id]);
      expect(await activeAt(T0 + HOUR - 1)).toEqual([o.id]);
      expect(await activeAt(T0 + HOUR)).toEqual([]);
      const forever = await overrides().create({ clientId, target: { level: 'client' }, reason: 'audit', createdBy: 'bob' }, T0);
      expect(await activeAt(T0 + 1000 * HOUR)).toEqual([forever.id]);
      expect(
        (await rejection(overrides().create({ clientId, target: { level: 'client' }, reason: 'x', createdBy: 'b', expiresAt: T0 }, T0)))
          .code,
      ).toBe('constraint');
      expect(
        (
          await rejection(
            overrides().create({ clientId, target: { level: 'cluster', clusterId: 'nope' }, reason: 'x', createdBy: 'b' }, T0),
          )
        ).code,
      ).toBe('constraint');
    });

    it('lift once, ending it from that time; an expired, lifted or foreign one cannot be lifted', async () => {
      const clientId = await tenant();
      const o = await overrides().create(
        { clientId, target: { level: 'instance', clusterId: 'c1', instanceId: 'i-1' }, reason: 'debug', createdBy: 'bob' },
        T0,
      );
      const lifted = await overrides().lift(clientId, o.id, 'carol', T0 + MIN);
      expect(lifted).toMatchObject({ liftedAt: T0 + MIN, liftedBy: 'carol' });
      expect((await overrides().listActive({ clientId }, T0 + 30_000)).map((x) => x.id)).toEqual([o.id]);
      expect(await overrides().listActive({ clientId }, T0 + MIN)).toEqual([]);
      expect((await rejection(overrides().lift(clientId, o.id, 'carol', T0 + 2 * MIN))).code).toBe('invalid_state');
      const expiring = await overrides().create(
        { clientId, target: { level: 'client' }, reason: 'x', createdBy: 'b', expiresAt: T0 + MIN },
        T0,
      );
      expect((await rejection(overrides().lift(clientId, expiring.id, 'carol', T0 + MIN))).code).toBe('invalid_state');
      expect((await rejection(overrides().lift(await tenant(), expiring.id, 'carol', T0))).code).toBe('not_found');
    });

    it('apply to an instance from its client, its cluster and itself, most specific first', async () => {
      const clientId = await tenant(['c1', 'c2']);
      const mk = (target: Parameters<OverrideRepository['create']>[0]['target']) =>
        overrides().create({ clientId, target, reason: 'r', createdBy: 'b' }, T0);
      const own = await mk({ level: 'instance', clusterId: 'c1', instanceId: 'i-1' });
      const cluster = await mk({ level: 'cluster', clusterId: 'c1' });
      const client = await mk({ level: 'client' });
      await mk({ level: 'instance', clusterId: 'c1', instanceId: 'i-2' });
      await mk({ level: 'cluster', clusterId: 'c2' });
      const ids = async (q: { clusterId: string; instanceId: string }) =>
        (await overrides().applicable({ clientId, ...q }, T0 + MIN)).map((o) => o.id);
      expect(await ids({ clusterId: 'c1', instanceId: 'i-1' })).toEqual([own.id, cluster.id, client.id]);
      expect(await ids({ clusterId: 'c2', instanceId: 'i-1' })).toHaveLength(2);
      expect((await overrides().listActive({ clientId, clusterId: 'c1' }, T0)).map((o) => o.level).sort()).toEqual([
        'cluster',
        'instance',
        'instance',
      ]);
    });
  });
}
