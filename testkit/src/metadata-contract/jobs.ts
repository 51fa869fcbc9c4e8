import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JobRepository, JobRunRepository, type NewJob } from '../../../hub/src/state/index.ts';
import { type ContractContext, MIN, rejection, T0, tag } from './context.ts';

export function describeJobs(ctx: ContractContext): void {
  const { tenant } = ctx;
  describe('jobs', () => {
    const jobs = () => new JobRepository(ctx.store);
    const runs = () => new JobRunRepository(ctx.store);
    /** A kind of its own per test: claims look at every tenant's jobs of the kinds a runner names. */
    const newJob = (over: Partial<NewJob> = {}): NewJob => ({
      clientId: 'c',
      kind: `k-${tag()}`,
      status: 'pending',
      dryRun: false,
      params: { ids: ['vol-1'] },
      requestedBy: 'alice',
      sourceIp: '10.0.0.7',
      note: 'tidy up',
      steps: [
        { name: 'delete-volume', target: 'vol-1' },
        { name: 'delete-volume', target: 'vol-2', input: { sizeGib: 5 } },
      ],
      ...over,
    });

    it('store a job with its steps and logs, and list a tenant’s jobs newest first, filtered and paged', async () => {
      const clientId = await tenant();
      const a = await jobs().create(newJob({ clientId }), T0);
      expect(a).toMatchObject({
        clientId,
        status: 'pending',
        stepsTotal: 2,
        stepsDone: 0,
        attempt: 1,
        sourceIp: '10.0.0.7',
        createdAt: T0,
      });
      expect((await jobs().steps(a.id)).map((x) => [x.seq, x.target, x.status, x.input])).toEqual([
        [0, 'vol-1', 'pending', {}],
        [1, 'vol-2', 'pending', { sizeGib: 5 }],
      ]);
      const b = await jobs().create(newJob({ clientId, status: 'waiting-approval', requestedBy: 'bob' }), T0 + MIN);
      await jobs().appendLog(a.id, null, 'info', 'created', T0);
      await jobs().appendLog(a.id, 1, 'warn', 'second', T0 + 1);
      expect((await jobs().logs(a.id)).map((l) => [l.stepSeq, l.level, l.message])).toEqual([
        [null, 'info', 'created'],
        [1, 'warn', 'second'],
      ]);
      expect((await jobs().list({ clientId })).items.map((j) => j.id)).toEqual([b.id, a.id]);
      expect((await jobs().list({ clientId, status: 'waiting-approval' })).items.map((j) => j.id)).toEqual([b.id]);
      expect((await jobs().list({ clientId, requestedBy: 'alice' })).items.map((j) => j.id)).toEqual([a.id]);
      const first = await jobs().list({ clientId, limit: 1 });
      expect(first.items.map((j) => j.id)).toEqual([b.id]);
      expect((await jobs().list({ clientId, limit: 1, cursor: first.nextCursor ?? '' })).items.map((j) => j.id)).toEqual([a.id]);
      expect(await jobs().get('another-tenant', a.id)).toBeNull();
      expect(await jobs().get(clientId, 'not-a-uuid')).toBeNull();
      expect((await rejection(jobs().create(newJob({ clientId, kind: 'Not Kebab' }), T0))).code).toBe('constraint');
    });

    it('give each job to one runner at a time: concurrent claims never share a job, a lease keeps others off until it expires', async () => {
      const kind = `k-${tag()}`;
      const made = [];
      for (let i = 0; i < 4; i++) made.push(await jobs().create(newJob({ kind }), T0 + i));
      await jobs().create(newJob({ kind, status: 'waiting-approval' }), T0);
      const claims = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((r) => runs().claimNext(r, [kind], T0 + MIN, MIN)));
      const got = claims.filter((c) => c !== null);
      expect(got.map((c) => c.id).sort()).toEqual(made.map((m) => m.id).sort());
      expect(got.every((c) => c.status === 'running' && c.previousStatus === 'pending')).toBe(true);
      // Held until the lease runs out; then another runner takes it over and the first one's writes are refused.
      expect(await runs().claimNext('r9', [kind], T0 + 2 * MIN - 1, MIN)).toBeNull();
      const taken = await runs().claimNext('r9', [kind], T0 + 2 * MIN, MIN);
      expect(taken?.id).toBe(made[0]?.id);
      expect(taken?.previousClaim).not.toBeNull();
      const loser = got.find((c) => c.id === taken?.id)?.claimedBy as string;
      const lost = await rejection(runs().startStep(made[0]?.id as string, loser, 0, T0 + 2 * MIN));
      expect(lost.code).toBe('invalid_state');
      expect(lost.message).toContain('no longer claimed');
      expect(await runs().renew(made[0]?.id as string, loser, T0 + 2 * MIN, MIN)).toBe(false);
      expect(await runs().claimNext('r9', [`other-${kind}`], T0 + 10 * MIN, MIN)).toBeNull();
    });

    it('track steps and progress under the claim, park a job until run_after, and finish it', async () => {
      const kind = `k-${tag()}`;
      const j = await jobs().create(newJob({ kind }), T0);
      const claimed = (await runs().claimNext('r1', [kind], T0, MIN)) as NonNullable<Awaited<ReturnType<JobRunRepository['claimNext']>>>;
      expect(claimed.id).toBe(j.id);
      const s0 = await runs().startStep(j.id, 'r1', 0, T0);
      expect([s0.status, s0.attempts]).toEqual(['running', 1]);
      await runs().recordEffect(j.id, 'r1', 0, { intent: 'delete' });
      await runs().recordEffect(j.id, 'r1', 0, { outcome: 'deleted' });
      const after0 = await runs().finishStep(j.id, 'r1', 0, 'succeeded', 'done', T0 + 1);
      expect([after0.stepsDone, after0.stepsTotal]).toEqual([1, 2]);
      expect((await runs().steps(j.id))[0]?.effect).toEqual({ intent: 'delete', outcome: 'deleted' });
      expect(await runs().release(j.id, 'r1', T0 + 2, T0 + MIN)).toBe(true);
      expect(await runs().claimNext('r2', [kind], T0 + MIN - 1, MIN)).toBeNull();
      const back = await runs().claimNext('r2', [kind], T0 + MIN, MIN);
      expect([back?.previousStatus, back?.previousRunAfter, back?.previousClaim]).toEqual(['running', T0 + MIN, null]);
      await runs().startStep(j.id, 'r2', 1, T0 + MIN);
      await runs().finishStep(j.id, 'r2', 1, 'skipped', 'attached now', T0 + MIN);
      const done = await runs().finishJob(j.id, 'r2', 'succeeded', null, T0 + MIN);
      expect(done).toMatchObject({ status: 'succeeded', stepsDone: 2, claimedBy: null, finishedAt: T0 + MIN });
      expect((await rejection(runs().finishJob(j.id, 'r2', 'failed', 'x', T0 + MIN))).code).toBe('invalid_state');
    });

    it('cancel an idle job at once, ask a running one to stop, and retry a failed one without redoing finished steps', async () => {
      const kind = `k-${tag()}`;
      const idle = await jobs().create(newJob({ kind, status: 'waiting-approval' }), T0);
      const cancelled = await jobs().cancel(null, idle.id, T0 + 1);
      expect([cancelled.cancelled, cancelled.job.status]).toEqual([true, 'cancelled']);
      expect((await jobs().steps(idle.id)).map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
      expect((await rejection(jobs().cancel(null, idle.id, T0 + 2))).code).toBe('invalid_state');
      expect((await rejection(jobs().cancel(null, randomUUID(), T0 + 2))).code).toBe('not_found');

      const busy = await jobs().create(newJob({ kind }), T0 + 1);
      await runs().claimNext('r1', [kind], T0 + 2, MIN);
      const asked = await jobs().cancel(null, busy.id, T0 + 3);
      expect([asked.cancelled, asked.job.status, asked.job.cancelRequested]).toEqual([false, 'running', true]);
      expect(await runs().cancelRequested(busy.id)).toBe(true);

      await runs().startStep(busy.id, 'r1', 0, T0 + 3);
      await runs().finishStep(busy.id, 'r1', 0, 'succeeded', null, T0 + 3);
      await runs().startStep(busy.id, 'r1', 1, T0 + 3);
      await runs().finishStep(busy.id, 'r1', 1, 'failed', 'boom', T0 + 3);
      expect((await rejection(jobs().retry(null, busy.id, 'pending', T0 + 3))).code).toBe('invalid_state');
      await runs().finishJob(busy.id, 'r1', 'failed', 'step 1 failed', T0 + 3);
      const again = await jobs().retry(null, busy.id, 'pending', T0 + 4);
      expect(again).toMatchObject({ status: 'pending', attempt: 2, error: null, cancelRequested: false, finishedAt: null, stepsDone: 1 });
      expect((await jobs().steps(busy.id)).map((x) => x.status)).toEqual(['succeeded', 'pending']);
      expect((await rejection(jobs().retry(null, busy.id, 'pending', T0 + 5))).code).toBe('invalid_state');
    });
  });
}
