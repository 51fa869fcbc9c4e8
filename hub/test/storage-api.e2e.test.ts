import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsHub, CLUSTER_TAG, type JobBody } from './jobs-fixture.ts';

// Storage cleanup over the API on real parts: the AWS SDK against the sim's EC2 endpoint
// (seeded with leftover volumes and snapshots), PGlite, the job runner.
let hub: ActionsHub;
let attachedVolume: string;

beforeAll(async () => {
  hub = await ActionsHub.start();
  const node = hub.launch({ [CLUSTER_TAG]: 'prod' });
  attachedVolume = hub.sim.state.volumesOf(node)[0]?.id as string;
});
afterAll(async () => {
  await hub?.close();
});

type Finding = { id: string; sizeGib: number; ageDays: number; monthlyCostUsd: number; deletable: boolean; protectedBy: string | null };

describe('listing', () => {
  it('lists unattached volumes with age, size and monthly cost, filtered by age, size and tag', async () => {
    const res = await hub.app.inject('/api/v1/storage/volumes');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { volumes: Finding[]; totals: { count: number; sizeGib: number; monthlyCostUsd: number } };
    expect(body.volumes.map((v) => [v.sizeGib, v.ageDays, v.monthlyCostUsd]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [20, 14, 2],
      [100, 90, 10],
      [500, 200, 50],
    ]);
    // gp2 at $0.10 per GiB-month.
    expect(body.totals).toEqual({ count: 3, sizeGib: 620, monthlyCostUsd: 62 });
    const sizes = async (q: string) =>
      ((await hub.app.inject(`/api/v1/storage/volumes?${q}`)).json() as { volumes: Finding[] }).volumes
        .map((v) => v.sizeGib)
        .sort((a, b) => a - b);
    expect(await sizes('minAgeDays=30')).toEqual([100, 500]);
    expect(await sizes('minSizeGib=50&maxSizeGib=200')).toEqual([100]);
    expect(await sizes('tag=Name=leftover-2')).toEqual([20]);
    expect(await sizes('tag=Name&minAgeDays=100')).toEqual([500]);
    const attached = (await hub.app.inject('/api/v1/storage/volumes?status=attached')).json() as { volumes: Finding[] };
    expect(attached.volumes.map((v) => v.id)).toContain(attachedVolume);
    expect(attached.volumes.find((v) => v.id === attachedVolume)?.protectedBy).toMatch(/^attached to i-/);
  });

  it('lists snapshots no image uses; referenced ones name their image', async () => {
    const body = (await hub.app.inject('/api/v1/storage/snapshots')).json() as {
      snapshots: Finding[];
      totals: { count: number; sizeGib: number; monthlyCostUsd: number };
    };
    // $0.05 per GiB-month of 50 + 8 + 100 + 20 GiB.
    expect(body.totals).toEqual({ count: 4, sizeGib: 178, monthlyCostUsd: 8.9 });
    const referenced = (await hub.app.inject('/api/v1/storage/snapshots?status=referenced')).json() as { snapshots: Finding[] };
    expect(referenced.snapshots).toHaveLength(4);
    expect(referenced.snapshots.every((s) => /^used by image ami-/.test(s.protectedBy ?? ''))).toBe(true);
  });

  it('refuses malformed and unknown query parameters with a 400 naming them', async () => {
    for (const [q, parameter] of [
      ['minAgeDays=-1', 'minAgeDays'],
      ['minSizeGib=abc', 'minSizeGib'],
      ['status=gone', 'status'],
      ['colour=red', 'colour'],
      ['minSizeGib=10&maxSizeGib=5', 'minSizeGib'],
    ]) {
      const res = await hub.app.inject(`/api/v1/storage/volumes?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.parameter, q).toBe(parameter);
    }
  });
});

describe('dry run', () => {
  it('says exactly what a full cleanup would delete and what it saves, backups included', async () => {
    const { volumes, snapshots } = hub.leftovers();
    const res = await hub.post('/api/v1/storage/dry-run', {});
    expect(res.statusCode).toBe(200);
    const plan = res.json() as {
      volumes: Finding[];
      snapshots: Finding[];
      totalGib: number;
      monthlySavingUsd: number;
      netMonthlySavingUsd: number;
    };
    expect(plan.volumes.map((v) => v.id)).toEqual(volumes);
    expect(plan.snapshots.map((s) => s.id)).toEqual(snapshots);
    expect([plan.totalGib, plan.monthlySavingUsd, plan.netMonthlySavingUsd]).toEqual([798, 70.9, 70.9]);
    const backed = (await hub.post('/api/v1/storage/dry-run', { snapshotIds: [], snapshotBeforeDelete: true })).json();
    // 620 GiB of volumes cost $62/month; their backups up to $31/month.
    expect([backed.monthlySavingUsd, backed.backupMonthlyCostUsd, backed.netMonthlySavingUsd]).toEqual([62, 31, 31]);
  });
});

describe('cleanup', () => {
  it('never deletes an attached volume or a snapshot an image uses, even when named: 409 naming each, nothing changes', async () => {
    const { volumes, imageSnapshots } = hub.leftovers();
    const before = await hub.snapshotOfWorld();
    const named = { volumeIds: [volumes[0], attachedVolume], snapshotIds: [imageSnapshots[0]] };
    for (const [url, payload] of [
      ['/api/v1/storage/cleanup', { ...named, confirm: true, note: 'tidy' }],
      ['/api/v1/storage/dry-run', named],
    ] as const) {
      const res = await hub.post(url, payload);
      expect(res.statusCode, url).toBe(409);
      const body = res.json() as { error: { code: string; message: string }; refused: Array<{ id: string; reason: string }> };
      expect(body.error.code).toBe('CONFLICT');
      expect(body.error.message).toContain(attachedVolume);
      expect(body.error.message).toContain(imageSnapshots[0]);
      expect(body.refused.map((r) => r.id)).toEqual([attachedVolume, imageSnapshots[0]]);
      expect(body.refused[1]?.reason).toMatch(/^used by image ami-/);
    }
    const unknown = await hub.post('/api/v1/storage/cleanup', { volumeIds: ['vol-0123456789abcdef0'], confirm: true, note: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().refused).toEqual([{ id: 'vol-0123456789abcdef0', reason: 'does not exist' }]);
    expect(await hub.snapshotOfWorld()).toEqual(before);
  });

  it('refuses malformed bodies with a 400 naming the field, and nothing changes', async () => {
    const [v] = hub.leftovers().volumes;
    const ok = { volumeIds: [v], confirm: true, note: 'tidy' };
    const before = await hub.snapshotOfWorld();
    const cases: Array<[unknown, string]> = [
      [{}, 'volumeIds'],
      [{ ...ok, volumeIds: v }, 'volumeIds'],
      [{ ...ok, volumeIds: [v, 'vol-nope'] }, 'volumeIds[1]'],
      [{ ...ok, volumeIds: [v, v] }, 'volumeIds[1]'],
      [{ ...ok, snapshotIds: [42] }, 'snapshotIds[0]'],
      [{ ...ok, colour: 'red' }, 'colour'],
      [{ ...ok, confirm: undefined }, 'confirm'],
      [{ ...ok, confirm: 'yes' }, 'confirm'],
      [{ ...ok, note: '   ' }, 'note'],
      [{ ...ok, note: 7 }, 'note'],
      [{ ...ok, snapshotBeforeDelete: 1 }, 'snapshotBeforeDelete'],
      [{ ...ok, dryRun: 'no' }, 'dryRun'],
      [[v], 'body'],
    ];
    for (const [payload, parameter] of cases) {
      const res = await hub.post('/api/v1/storage/cleanup', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.parameter, JSON.stringify(payload)).toBe(parameter);
    }
    const badActor = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/storage/cleanup',
      payload: ok,
      headers: { 'x-ballast-actor': ' ' },
    });
    expect(badActor.json().error.parameter).toBe('X-Ballast-Actor');
    const dry = await hub.post('/api/v1/storage/dry-run', { volumeIds: [v], snapshotBeforeDelete: 'yes' });
    expect(dry.json().error.parameter).toBe('snapshotBeforeDelete');
    expect(await hub.snapshotOfWorld()).toEqual(before);
  });

  it('runs a dry-run job that logs what it would delete and deletes nothing', async () => {
    const { volumes, snapshots } = hub.leftovers();
    const res = await hub.post('/api/v1/storage/cleanup', { volumeIds: volumes, snapshotIds: snapshots, dryRun: true });
    expect(res.statusCode).toBe(202);
    const job = await hub.until(res.json().job.id, 'succeeded');
    expect(job.dryRun).toBe(true);
    expect(job.steps.every((s) => s.status === 'skipped' && s.message?.startsWith('dry run: would delete'))).toBe(true);
    expect(job.logs.some((l) => l.message.includes(`would delete ${volumes[0]}`))).toBe(true);
    expect(hub.leftovers()).toMatchObject({ volumes, snapshots });
    expect(hub.calls.deleteVolume).toEqual([]);
  });

  it('deletes the named volumes, each backed up first, and snapshots, as an audited job with progress', async () => {
    const { volumes, snapshots } = hub.leftovers();
    const [v1, v2] = volumes as [string, string];
    const [s1, s2] = snapshots as [string, string];
    const res = await hub.post(
      '/api/v1/storage/cleanup',
      { volumeIds: [v1, v2], snapshotIds: [s1, s2], snapshotBeforeDelete: true, confirm: true, note: 'INC-7 leftovers' },
      'alice',
    );
    expect(res.statusCode).toBe(202);
    const created = res.json() as { job: JobBody; approval: null; plan: { monthlySavingUsd: number } };
    expect(created.approval).toBeNull();
    expect(created.job.progress).toEqual({ done: 0, total: 6, percent: 0 });
    // Backups complete a virtual minute after they start: move the sim's clock until the job is done.
    const done = await waitFor('the cleanup to finish', async () => {
      await hub.sim.clock.advance(15_000);
      const j = await hub.job(created.job.id);
      return j.status === 'succeeded' ? j : undefined;
    });
    expect(done.progress).toEqual({ done: 6, total: 6, percent: 100 });
    expect(done.steps.map((s) => [s.name, s.target, s.status])).toEqual([
      ['snapshot-volume', v1, 'succeeded'],
      ['delete-volume', v1, 'succeeded'],
      ['snapshot-volume', v2, 'succeeded'],
      ['delete-volume', v2, 'succeeded'],
      ['delete-snapshot', s1, 'succeeded'],
      ['delete-snapshot', s2, 'succeeded'],
    ]);
    expect(hub.calls.createSnapshot).toEqual([v1, v2]);
    expect(hub.calls.deleteVolume).toEqual([v1, v2]);
    expect(hub.calls.deleteSnapshot).toEqual([s1, s2]);
    expect(hub.sim.state.volumes.has(v1) || hub.sim.state.snapshots.has(s1)).toBe(false);
    const backups = [...hub.sim.state.snapshots.values()].filter((s) => s.tags['ballast.io/backup-of']);
    expect(backups.map((b) => b.volumeId).sort()).toEqual([v1, v2].sort());

    const audit = (await hub.app.inject('/api/v1/audit?action=storage.volume.delete')).json() as {
      entries: Array<{ actor: string; target: string; result: string; details: { note: string; jobId: string } }>;
    };
    expect(audit.entries.map((e) => [e.actor, e.target, e.result, e.details.note, e.details.jobId])).toEqual([
      ['alice', `volume:${v2}`, 'success', 'INC-7 leftovers', created.job.id],
      ['alice', `volume:${v1}`, 'success', 'INC-7 leftovers', created.job.id],
    ]);
    const trail = (await hub.app.inject(`/api/v1/audit?target=job:${created.job.id}`)).json() as { entries: Array<{ action: string }> };
    expect(trail.entries.map((e) => e.action).reverse()).toEqual(['job.created', 'job.started', 'job.succeeded']);
  });
});
