import { createLogger } from '@ballast/common';
import { type PostgresServerHandle, startPostgresServer, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import { ActionsPlane } from '../src/jobs/actions-plane.ts';
import { openMetadataStore } from '../src/state/metadata-store-factory.ts';
import { ActionsHub, type Backend, CLUSTER_TAG, countingCloud, gate, type JobBody } from './jobs-fixture.ts';

// A hub that stops in the middle of a job — a step blocked past the shutdown grace, as a
// crash would leave it — and a new runner on the same data: the job resumes, and EC2 sees
// each resource deleted or terminated exactly once. On PGlite (same data directory,
// reopened) and PostgreSQL (same database).
let pg: PostgresServerHandle;
beforeAll(async () => {
  pg = await startPostgresServer();
});
afterAll(async () => {
  await pg?.stop();
});

/** Advances the sim's clock (leases, polls, waits) until the job reaches the status. */
async function driveUntil(hub: ActionsHub, id: string, status: string): Promise<JobBody> {
  return waitFor(`job ${id} to be ${status}`, async () => {
    await hub.sim.clock.advance(15_000);
    const j = await hub.job(id);
    return j.status === status ? j : undefined;
  });
}

const backends: Array<[string, () => Promise<Backend>]> = [
  ['PGlite', async () => ({ kind: 'pglite' })],
  ['PostgreSQL', async () => ({ kind: 'postgres', url: await pg.createDatabase() })],
];

describe.each(backends)('on %s', (_name, backend) => {
  it('resumes a cleanup whose hub died after a delete took effect but before it was recorded: every delete happens once', async () => {
    const hub = await ActionsHub.start({ backend: await backend() });
    try {
      const { volumes, snapshots } = hub.leftovers();
      const victim = volumes[1] as string;
      // The delete reaches EC2; the hub "dies" before the step records it.
      hub.hooks.after = (op, id) => (op === 'deleteVolume' && id === victim ? gate().wait : undefined);
      const res = await hub.post('/api/v1/storage/cleanup', { volumeIds: volumes, snapshotIds: snapshots, confirm: true, note: 'restart' });
      expect(res.statusCode).toBe(202);
      const id = res.json().job.id as string;
      await waitFor('the second delete to reach EC2', () => !hub.sim.state.volumes.has(victim));
      expect(hub.calls.deleteVolume).toEqual(volumes.slice(0, 2));

      await hub.restart('runner-after-crash');
      hub.hooks.after = undefined;
      const held = await hub.job(id);
      // The dead runner's lease still holds the job: nobody acts on it yet.
      expect([held.status, held.steps[1]?.status, held.steps[1]?.effect.intent]).toEqual(['running', 'running', 'delete']);

      const done = await driveUntil(hub, id, 'succeeded');
      expect(hub.calls.deleteVolume).toEqual(volumes);
      expect(hub.calls.deleteSnapshot).toEqual(snapshots);
      expect(done.progress).toEqual({ done: 7, total: 7, percent: 100 });
      expect([done.steps[1]?.attempts, done.steps[1]?.message]).toEqual([
        2,
        `${victim} is gone: deleted by an earlier attempt of this step`,
      ]);
      const resumed = (await hub.app.inject(`/api/v1/audit?action=job.resumed&target=job:${id}`)).json().entries;
      expect(resumed).toHaveLength(1);
      expect(resumed[0].details.runner).toBe('runner-after-crash');
      expect(resumed[0].details.previousRunner).toMatch(/^runner-/);
    } finally {
      await hub.close();
    }
  });

  it('resumes a governance job whose hub died after recording its intent but before terminating: each instance terminated once', async () => {
    const hub = await ActionsHub.start({ backend: await backend() });
    try {
      const node = hub.launch({ [CLUSTER_TAG]: 'prod' });
      const rogue = [hub.launch({}), hub.launch({ Name: 'forgotten' }, 'spot'), hub.launch({ [CLUSTER_TAG]: 'old-cluster' })];
      hub.hooks.before = (op, id) => (op === 'terminate' && id === rogue[1] ? gate().wait : undefined);
      const res = await hub.post('/api/v1/governance/instances/apply', {
        instanceIds: rogue,
        action: 'terminate',
        confirm: true,
        note: 'orphans',
      });
      expect(res.statusCode).toBe(202);
      const id = res.json().job.id as string;
      await waitFor('the second terminate to be under way', async () => (await hub.job(id)).steps[1]?.effect.intent === 'terminate');

      await hub.restart('runner-after-crash');
      hub.hooks.before = undefined;
      const done = await driveUntil(hub, id, 'succeeded');
      expect(hub.calls.terminate).toEqual(rogue);
      expect(done.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      for (const i of rogue) expect(['shutting-down', 'terminated']).toContain(hub.sim.fleet.get(i)?.state);
      expect(hub.sim.fleet.get(node)?.state).not.toMatch(/shutting-down|terminated/);
    } finally {
      await hub.close();
    }
  });

  it('hands a job back at a clean shutdown, so the next runner resumes it at once', async () => {
    const hub = await ActionsHub.start({ backend: await backend() });
    try {
      const { volumes } = hub.leftovers();
      const held = gate();
      hub.hooks.after = (op, id) => (op === 'deleteVolume' && id === volumes[0] ? held.wait : undefined);
      const id = (await hub.post('/api/v1/storage/cleanup', { volumeIds: volumes, confirm: true, note: 'shutdown' })).json().job
        .id as string;
      await waitFor('the first delete', () => hub.calls.deleteVolume.length === 1);
      const stopping = hub.stop();
      held.open();
      await stopping;
      hub.hooks.after = undefined;
      await hub.open('runner-next');
      // No clock advance: the job was handed back, not left to its lease.
      const done = await hub.until(id, 'succeeded');
      expect(hub.calls.deleteVolume).toEqual(volumes);
      expect(done.steps[0]?.attempts).toBe(1);
    } finally {
      await hub.close();
    }
  });

  it('lets two runners share the jobs table without ever running the same job', async () => {
    const b = await backend();
    const hub = await ActionsHub.start({ backend: b });
    const secondStore =
      b.kind === 'postgres' ? await openMetadataStore({ kind: 'postgres', url: b.url, ssl: false, poolMax: 4 }) : hub.store;
    const aws = new AwsCloudProvider(hub.sim.awsConfig());
    const second = new ActionsPlane({
      store: secondStore,
      cloud: countingCloud(aws, hub.calls, {}),
      clock: hub.sim.clock,
      log: createLogger('test', 'silent'),
      knownFleet: async () => hub.known,
      hourlyPrice: () => 0.1,
      runner: { runnerId: 'second-runner', shutdownGraceMs: 300 },
    });
    await second.start();
    try {
      const { volumes, snapshots } = hub.leftovers();
      const ids: string[] = [];
      for (const v of volumes)
        ids.push((await hub.post('/api/v1/storage/cleanup', { volumeIds: [v], confirm: true, note: 'x' })).json().job.id);
      for (const s of snapshots)
        ids.push((await hub.post('/api/v1/storage/cleanup', { snapshotIds: [s], confirm: true, note: 'x' })).json().job.id);
      second.runner.wake();
      for (const id of ids) await hub.until(id, 'succeeded');
      expect([...hub.calls.deleteVolume].sort()).toEqual(volumes);
      expect([...hub.calls.deleteSnapshot].sort()).toEqual(snapshots);
      const starts = (await hub.app.inject('/api/v1/audit?action=job.started&limit=500')).json().entries as Array<{ target: string }>;
      expect(starts.map((e) => e.target).sort()).toEqual(ids.map((id) => `job:${id}`).sort());
    } finally {
      await second.shutdown();
      aws.close();
      if (secondStore !== hub.store) await secondStore.close();
      await hub.close();
    }
  });
});
