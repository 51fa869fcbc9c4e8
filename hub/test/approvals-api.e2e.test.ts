import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsHub, CLUSTER_TAG, type JobBody } from './jobs-fixture.ts';

// The approval flow over the API with a policy that asks a second person for storage
// deletion and instance termination.
let hub: ActionsHub;

beforeAll(async () => {
  hub = await ActionsHub.start({ policy: { requireSecondPerson: ['storage.delete', 'governance.terminate'] } });
});
afterAll(async () => {
  await hub?.close();
});

type Approval = {
  id: string;
  jobId: string;
  status: string;
  requestedBy: string;
  decidedBy: string | null;
  reason: string | null;
  summary: string;
};

async function requestCleanup(volumeIds: string[], actor = 'alice'): Promise<{ job: JobBody; approval: Approval }> {
  const res = await hub.post('/api/v1/storage/cleanup', { volumeIds, confirm: true, note: 'quarterly tidy' }, actor);
  expect(res.statusCode).toBe(202);
  return res.json();
}

describe('approvals', () => {
  it('hold a destructive job in waiting-approval; the requester cannot approve it; a second person can, and it runs', async () => {
    const [v] = hub.leftovers().volumes as [string];
    const { job, approval } = await requestCleanup([v]);
    expect(job.status).toBe('waiting-approval');
    expect(approval).toMatchObject({ status: 'pending', requestedBy: 'alice', summary: 'delete 1 volume(s) and 0 snapshot(s)' });
    await hub.sim.clock.advance(120_000);
    expect((await hub.job(job.id)).status).toBe('waiting-approval');
    expect(hub.calls.deleteVolume).toEqual([]);
    const pending = (await hub.app.inject('/api/v1/approvals')).json().approvals as Approval[];
    expect(pending.map((a) => a.id)).toEqual([approval.id]);

    const self = await hub.post(`/api/v1/approvals/${approval.id}/approve`, { reason: 'looks fine to me' }, 'alice');
    expect(self.statusCode).toBe(409);
    expect(self.json().error.message).toContain('cannot approve');
    expect((await hub.job(job.id)).status).toBe('waiting-approval');
    const denied = (await hub.app.inject(`/api/v1/audit?target=approval:${approval.id}`)).json().entries;
    expect(denied.map((e: { actor: string; result: string }) => [e.actor, e.result])).toEqual([
      ['alice', 'denied'],
      ['alice', 'success'],
    ]);

    const ok = await hub.post(`/api/v1/approvals/${approval.id}/approve`, { reason: 'checked the volume is unused' }, 'bob');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', decidedBy: 'bob', reason: 'checked the volume is unused' });
    const done = await hub.until(job.id, 'succeeded');
    expect(hub.calls.deleteVolume).toEqual([v]);
    expect(done.approvals.map((a) => [a.status, a.decidedBy])).toEqual([['approved', 'bob']]);
    expect(done.logs.map((l) => l.message)).toContain('approved by bob: checked the volume is unused');
    const again = await hub.post(`/api/v1/approvals/${approval.id}/reject`, { reason: 'too late' }, 'carol');
    expect(again.statusCode).toBe(409);
  });

  it('reject cancels the job and deletes nothing; a retry asks for approval again', async () => {
    const [v] = hub.leftovers().volumes as [string];
    const { job, approval } = await requestCleanup([v]);
    const res = await hub.post(`/api/v1/approvals/${approval.id}/reject`, { reason: 'still needed by the data team' }, 'carol');
    expect(res.statusCode).toBe(200);
    const cancelled = await hub.job(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.steps.map((s) => s.status)).toEqual(['cancelled']);
    expect(hub.sim.state.volumes.has(v)).toBe(true);

    await hub.sim.clock.advance(1_000);
    const retried = await hub.post(`/api/v1/jobs/${job.id}/retry`, undefined, 'alice');
    expect(retried.statusCode).toBe(202);
    expect(retried.json().job.status).toBe('waiting-approval');
    const fresh = (await hub.app.inject('/api/v1/approvals')).json().approvals as Approval[];
    expect(fresh.map((a) => a.jobId)).toEqual([job.id]);
    expect(fresh[0]?.id).not.toBe(approval.id);
    const all = (await hub.app.inject('/api/v1/approvals?status=all')).json().approvals as Approval[];
    expect(all.filter((a) => a.jobId === job.id).map((a) => a.status)).toEqual(['pending', 'rejected']);
    // Cancelling the waiting job withdraws its request.
    expect((await hub.post(`/api/v1/jobs/${job.id}/cancel`, { reason: 'not now' }, 'alice')).json().status).toBe('cancelled');
    expect((await hub.app.inject('/api/v1/approvals')).json().approvals).toEqual([]);
  });

  it('refuse malformed decisions with a 400 naming the field, and nothing changes', async () => {
    const [v] = hub.leftovers().volumes as [string];
    const { approval } = await requestCleanup([v]);
    const before = await hub.snapshotOfWorld();
    const cases: Array<[string, unknown, string]> = [
      [`/api/v1/approvals/${approval.id}/approve`, undefined, 'reason'],
      [`/api/v1/approvals/${approval.id}/approve`, {}, 'reason'],
      [`/api/v1/approvals/${approval.id}/approve`, { reason: '  ' }, 'reason'],
      [`/api/v1/approvals/${approval.id}/approve`, { reason: 5 }, 'reason'],
      [`/api/v1/approvals/${approval.id}/approve`, { reason: 'x'.repeat(1001) }, 'reason'],
      [`/api/v1/approvals/${approval.id}/reject`, { reason: 'no', approve: true }, 'approve'],
      ['/api/v1/approvals/not-a-uuid/approve', { reason: 'ok' }, 'id'],
    ];
    for (const [url, payload, parameter] of cases) {
      const res = await hub.post(url, payload, 'bob');
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(res.json().error.parameter, `${url} ${JSON.stringify(payload)}`).toBe(parameter);
    }
    expect((await hub.app.inject('/api/v1/approvals?status=maybe')).json().error.parameter).toBe('status');
    const missing = await hub.post('/api/v1/approvals/00000000-0000-4000-8000-000000000000/approve', { reason: 'ok' }, 'bob');
    expect(missing.statusCode).toBe(404);
    expect(await hub.snapshotOfWorld()).toEqual(before);
  });

  it('ask nothing for a dry run or a harmless action', async () => {
    const [v] = hub.leftovers().volumes as [string];
    const dry = await hub.post('/api/v1/storage/cleanup', { volumeIds: [v], dryRun: true }, 'alice');
    expect(dry.json().approval).toBeNull();
    await hub.until(dry.json().job.id, 'succeeded');
    const rogue = hub.launch({});
    const tag = await hub.post('/api/v1/governance/instances/apply', { instanceIds: [rogue], action: 'tag-as-ignored' }, 'alice');
    expect(tag.json().approval).toBeNull();
    await hub.until(tag.json().job.id, 'succeeded');
  });

  it('re-check the world when an approved job finally runs: an instance that became a known node is left alone', async () => {
    const rogue = hub.launch({ Name: 'maybe-orphan' });
    const res = await hub.post(
      '/api/v1/governance/instances/apply',
      { instanceIds: [rogue], action: 'terminate', confirm: true, note: 'orphan' },
      'alice',
    );
    expect(res.json().job.status).toBe('waiting-approval');
    // While it waits, the instance joins prod.
    const instance = hub.sim.fleet.get(rogue);
    if (instance) instance.tags[CLUSTER_TAG] = 'prod';
    await hub.post(`/api/v1/approvals/${res.json().approval.id}/approve`, { reason: 'ok' }, 'bob');
    const job = await hub.until(res.json().job.id, 'succeeded');
    expect(job.steps[0]).toMatchObject({ status: 'skipped', message: `${rogue} is a node of cluster prod now: not terminated` });
    expect(hub.calls.terminate).toEqual([]);
    expect(hub.sim.fleet.get(rogue)?.state).not.toBe('shutting-down');
    const refusal = (await hub.app.inject(`/api/v1/audit?target=instance:${rogue}`)).json().entries;
    expect(refusal.map((e: { result: string; actor: string }) => [e.actor, e.result])).toEqual([['alice', 'denied']]);
  });
});
