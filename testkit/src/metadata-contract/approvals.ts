import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApprovalRepository, JobRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, rejection, T0, tag } from './context.ts';

export function describeApprovals(ctx: ContractContext): void {
  const { tenant } = ctx;
  describe('approvals', () => {
    const approvals = () => new ApprovalRepository(ctx.store);
    const job = async (clientId: string) =>
      new JobRepository(ctx.store).create(
        { clientId, kind: `k-${tag()}`, status: 'waiting-approval', dryRun: false, params: {}, requestedBy: 'alice', steps: [] },
        T0,
      );

    it('hold one pending request per job, refuse self-approval in the database, and decide once', async () => {
      const clientId = await tenant();
      const j = await job(clientId);
      const a = await approvals().create(
        { clientId, jobId: j.id, action: 'storage.delete', summary: 'delete 2', requestedBy: 'alice' },
        T0,
      );
      expect(a).toMatchObject({ status: 'pending', decidedBy: null, requestedAt: T0 });
      expect(
        (await rejection(approvals().create({ clientId, jobId: j.id, action: 'storage.delete', summary: '', requestedBy: 'alice' }, T0)))
          .code,
      ).toBe('conflict');
      const self = await rejection(approvals().decide(clientId, a.id, { status: 'approved', by: 'alice', reason: 'mine' }, T0 + 1));
      expect(self.code).toBe('constraint');
      expect((await rejection(approvals().decide(clientId, a.id, { status: 'approved', by: 'bob', reason: '' }, T0 + 1))).code).toBe(
        'constraint',
      );
      const ok = await approvals().decide(clientId, a.id, { status: 'approved', by: 'bob', reason: 'checked' }, T0 + 2);
      expect(ok).toMatchObject({ status: 'approved', decidedBy: 'bob', reason: 'checked', decidedAt: T0 + 2 });
      expect((await rejection(approvals().decide(clientId, a.id, { status: 'rejected', by: 'carol', reason: 'late' }, T0 + 3))).code).toBe(
        'invalid_state',
      );
      expect((await rejection(approvals().decide(clientId, randomUUID(), { status: 'rejected', by: 'c', reason: 'x' }, T0))).code).toBe(
        'not_found',
      );
      expect((await approvals().list({ clientId, status: 'approved' })).items.map((x) => x.id)).toEqual([a.id]);
      expect((await approvals().list({ clientId, status: 'pending' })).items).toEqual([]);
      const again = await approvals().create(
        { clientId, jobId: j.id, action: 'storage.delete', summary: 'retry', requestedBy: 'alice' },
        T0 + 4,
      );
      expect(await approvals().cancelPending(j.id, 'alice', T0 + 5)).toMatchObject({ id: again.id, status: 'cancelled' });
      expect((await approvals().forJob(j.id)).map((x) => x.status)).toEqual(['cancelled', 'approved']);
    });
  });
}
