import { type PostgresServerHandle, startPostgresServer } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWITCH_TAGS } from '../src/switches/switch-ports.ts';
import { gate } from './jobs-fixture.ts';
import { type Backend, SwitchWorld } from './switch-fixture.ts';

// A hub that dies in the middle of a switch — its launch reached EC2 but the step never
// recorded it, as a crash would leave it — and a new runner on the same data: the job
// resumes once the dead runner's lease runs out, and EC2 holds exactly one replacement.
let pg: PostgresServerHandle;
beforeAll(async () => {
  pg = await startPostgresServer();
});
afterAll(async () => {
  await pg?.stop();
});

const backends: Array<[string, () => Promise<Backend>]> = [
  ['PGlite', async () => ({ kind: 'pglite' })],
  ['PostgreSQL', async () => ({ kind: 'postgres', url: await pg.createDatabase() })],
];

describe.each(backends)('on %s', (_name, backend) => {
  it('resumes a switch whose hub died right after the launch: exactly one replacement in EC2', async () => {
    const w = await SwitchWorld.start({ backend: await backend() });
    try {
      const old = w.node('spot');
      await w.boot({
        deployments: [{ name: 'web', replicas: 2, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }],
      });
      w.hooks.afterLaunch = () => gate().wait;
      const id = await w.submitSwitch({
        clusterId: 'prod',
        instanceId: old.id,
        to: { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'on-demand' },
        reason: 'restart test',
      });
      await w.drive('the launch to reach EC2', () => (w.launches.length === 1 ? true : undefined), 0);
      expect(w.sim.fleet.list().filter((i) => i.tags[SWITCH_TAGS.replaces] === old.id)).toHaveLength(1);

      await w.restart('runner-after-crash');
      w.hooks.afterLaunch = undefined;
      const held = await w.job(id);
      expect([held.status, held.steps[0]?.status, held.steps[0]?.effect.intent]).toEqual(['running', 'running', 'launch']);
      expect(held.steps[0]?.effect.replacementId).toBeUndefined();

      const done = await w.driveJob(id, ['succeeded', 'failed'], 5_000, 90_000);
      expect(done.status).toBe('succeeded');
      // The step ran twice, with the same client token: EC2 answered the first instance again.
      expect(w.launches).toHaveLength(2);
      expect(new Set(w.launches).size).toBe(1);
      const replacements = w.sim.fleet.list().filter((i) => i.tags[SWITCH_TAGS.replaces] === old.id);
      expect(replacements).toHaveLength(1);
      expect(done.steps[0]?.effect.replacementId).toBe(replacements[0]?.id);
      expect(done.steps[0]?.attempts).toBe(2);
      expect(['shutting-down', 'terminated']).toContain(w.sim.fleet.get(old.id)?.state);
      expect(w.kube.get('prod')?.stats.podsLost).toBe(0);
      const resumed = (await w.request('GET', `/api/v1/audit?action=job.resumed&target=job:${id}`)).json().entries;
      expect(resumed).toHaveLength(1);
      expect(resumed[0].details.runner).toBe('runner-after-crash');
      // One history row for the job, however often its steps ran.
      expect(await w.count(`SELECT count(*)::int AS n FROM switch_history WHERE job_id = '${id}'`)).toBe(1);
    } finally {
      await w.close();
    }
  });
});
