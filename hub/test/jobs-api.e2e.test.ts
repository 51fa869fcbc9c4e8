import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsHub, gate, type JobBody } from './jobs-fixture.ts';

// The jobs API over real parts: list, detail, cancel, retry, and how the runner deals with
// failing and throttled cloud calls.
let hub: ActionsHub;

beforeAll(async () => {
  hub = await ActionsHub.start({ runner: { retryBaseMs: 5_000 } });
});
afterAll(async () => {
  await hub?.close();
});

const cleanup = async (body: Record<string, unknown>, actor = 'alice') => {
  const res = await hub.post('/api/v1/storage/cleanup', { confirm: true, note: 'jobs api', ...body }, actor);
  expect(res.statusCode).toBe(202);
  return res.json().job as JobBody;
};

describe('cancel and retry', () => {
  it('cancels a running job after its current step; a retry finishes the rest, deleting nothing twice', async () => {
    const { volumes } = hub.leftovers();
    const held = gate();
    hub.hooks.before = (op, id) => (op === 'deleteVolume' && id === volumes[0] ? held.wait : undefined);
    const job = await cleanup({ volumeIds: volumes });
    await waitFor('the first step to run', async () => (await hub.job(job.id)).steps[0]?.status === 'running');
    const cancel = await hub.post(`/api/v1/jobs/${job.id}/cancel`, { reason: 'wrong volumes?' }, 'bob');
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ status: 'running', cancelRequested: true });
    held.open();
    hub.hooks.before = undefined;
    const cancelled = await hub.until(job.id, 'cancelled');
    expect(cancelled.steps.map((s) => s.status)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    expect(cancelled.progress).toEqual({ done: 1, total: 3, percent: 33 });
    expect(hub.calls.deleteVolume).toEqual([volumes[0]]);
    expect((await hub.post(`/api/v1/jobs/${job.id}/cancel`)).statusCode).toBe(409);

    const retry = await hub.post(`/api/v1/jobs/${job.id}/retry`, {}, 'bob');
    expect(retry.statusCode).toBe(202);
    const done = await hub.until(job.id, 'succeeded');
    expect(done.attempt).toBe(2);
    expect(hub.calls.deleteVolume).toEqual(volumes);
    expect(done.steps.map((s) => s.attempts)).toEqual([1, 1, 1]);
    expect((await hub.post(`/api/v1/jobs/${job.id}/retry`)).statusCode).toBe(409);
    const trail = (await hub.app.inject(`/api/v1/audit?target=job:${job.id}`)).json().entries as Array<{ action: string; actor: string }>;
    expect(trail.map((e) => `${e.action} ${e.actor}`).reverse()).toEqual([
      'job.created alice',
      'job.started ballast-job-runner',
      'job.cancel-requested bob',
      'job.cancelled ballast-job-runner',
      'job.retried bob',
      'job.started ballast-job-runner',
      'job.succeeded ballast-job-runner',
    ]);
  });

  it('fails a job on an error retrying cannot fix, and succeeds when retried', async () => {
    const [s1, s2] = hub.leftovers().snapshots as [string, string];
    hub.sim.state.injectFault('DeleteSnapshot', 'UnauthorizedOperation');
    const job = await cleanup({ snapshotIds: [s1, s2] });
    const failed = await hub.until(job.id, 'failed');
    expect(failed.error).toMatch(new RegExp(`^step 0 \\(delete-snapshot ${s1}\\) failed: deleteSnapshot: unauthorized`));
    expect(failed.steps.map((s) => s.status)).toEqual(['failed', 'pending']);
    expect(hub.sim.state.snapshots.has(s1)).toBe(true);
    await hub.post(`/api/v1/jobs/${job.id}/retry`);
    await hub.until(job.id, 'succeeded');
    expect(hub.sim.state.snapshots.has(s1) || hub.sim.state.snapshots.has(s2)).toBe(false);
  });

  it('parks a step the cloud throttles and runs it again after a back-off on the injected clock', async () => {
    const [s] = hub.leftovers().snapshots as [string];
    // More refusals than the SDK's own three attempts.
    hub.sim.state.injectFault('DeleteSnapshot', 'RequestLimitExceeded', 3);
    const job = await cleanup({ snapshotIds: [s] });
    const parked = await waitFor('the step to back off', async () => {
      const j = await hub.job(job.id);
      return j.steps[0]?.effect.failures === 1 ? j : undefined;
    });
    expect(parked.status).toBe('running');
    expect(parked.logs.some((l) => l.level === 'warn' && l.message.includes('trying again later'))).toBe(true);
    expect(hub.sim.state.snapshots.has(s)).toBe(true);
    await hub.sim.clock.advance(5_000);
    await hub.until(job.id, 'succeeded');
    expect(hub.sim.state.snapshots.has(s)).toBe(false);
  });

  it('refuses malformed requests with a 400 naming the field, unknown jobs with a 404, and nothing changes', async () => {
    const [s] = hub.leftovers().snapshots as [string];
    const job = await cleanup({ snapshotIds: [s], dryRun: true });
    await hub.until(job.id, 'succeeded');
    const before = await hub.snapshotOfWorld();
    const cases: Array<[string, unknown, string]> = [
      [`/api/v1/jobs/${job.id}/cancel`, { reason: 1 }, 'reason'],
      [`/api/v1/jobs/${job.id}/cancel`, { why: 'x' }, 'why'],
      [`/api/v1/jobs/${job.id}/retry`, { force: true }, 'force'],
      [`/api/v1/jobs/${job.id}/retry`, [1], 'body'],
      ['/api/v1/jobs/12/cancel', {}, 'id'],
    ];
    for (const [url, payload, parameter] of cases) {
      const res = await hub.post(url, payload);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(res.json().error.parameter).toBe(parameter);
    }
    expect((await hub.post('/api/v1/jobs/00000000-0000-4000-8000-000000000000/cancel')).statusCode).toBe(404);
    expect((await hub.app.inject('/api/v1/jobs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await hub.app.inject('/api/v1/jobs/nope')).json().error.parameter).toBe('id');
    expect(await hub.snapshotOfWorld()).toEqual(before);
  });
});

describe('listing', () => {
  it('lists jobs newest first, filtered by status, kind and requester, cursor-paged', async () => {
    const all = (await hub.app.inject('/api/v1/jobs?limit=500')).json().jobs as JobBody[];
    expect(all.length).toBe(4);
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = (await hub.app.inject(`/api/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.jobs.map((j: JobBody) => j.id));
      cursor = page.nextCursor ?? '';
    } while (cursor);
    expect(seen).toEqual(all.map((j) => j.id));
    const bob = (await hub.app.inject('/api/v1/jobs?requestedBy=bob')).json().jobs;
    expect(bob).toEqual([]);
    const succeeded = (await hub.app.inject('/api/v1/jobs?status=succeeded&kind=storage-cleanup')).json().jobs as JobBody[];
    expect(succeeded.length).toBe(all.filter((j) => j.status === 'succeeded').length);
    for (const [q, parameter] of [
      ['status=done', 'status'],
      ['kind=Storage', 'kind'],
      ['limit=0', 'limit'],
      ['limit=-3', 'limit'],
      ['page=2', 'page'],
    ]) {
      const res = await hub.app.inject(`/api/v1/jobs?${q}`);
      expect([res.statusCode, res.json().error.parameter], q).toEqual([400, parameter]);
    }
    expect((await hub.app.inject('/api/v1/jobs?cursor=garbage')).statusCode).toBe(400);
  });
});
