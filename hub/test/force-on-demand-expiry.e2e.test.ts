import { afterEach, describe, expect, it } from 'vitest';
import { TAG_KEYS } from '../src/cloud/cloud-types.ts';
import type { JobBody } from './jobs-fixture.ts';
import { SwitchWorld } from './switch-fixture.ts';

// Force on-demand on a 20-node cluster for two hours, then the expiry on the virtual
// clock: both halves run as parent jobs whose child switch jobs stay within the budget.
let world: SwitchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

interface ListedJob {
  id: string;
  kind: string;
  status: string;
  params: Record<string, unknown>;
  createdAt: string;
  finishedAt: string | null;
}

/** The most child jobs of `parent` that were unfinished at the same moment (from their own times, not sampled). */
function maxOverlap(jobs: ListedJob[]): number {
  const edges = jobs.flatMap((j) => [
    { t: Date.parse(j.createdAt), d: 1 },
    { t: Date.parse(j.finishedAt as string), d: -1 },
  ]);
  // At equal times an end comes first: the parent starts the next switch after it saw one finish.
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}

async function children(w: SwitchWorld, parent: string): Promise<ListedJob[]> {
  const jobs = (await w.request('GET', '/api/v1/jobs?kind=switch&limit=500')).json().jobs as ListedJob[];
  return jobs.filter((j) => j.params.parentJobId === parent);
}

describe('force on-demand with a duration', () => {
  it('moves a 20-node cluster to on-demand two at a time, and back to spot when the two hours are over', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const spot = Array.from({ length: 20 }, () => w.node('spot'));
    await w.boot({
      deployments: [{ name: 'web', replicas: 20, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }],
    });
    const start = w.sim.clock.now();

    const res = await w.request(
      'POST',
      '/api/v1/clusters/prod/force-on-demand',
      { duration_hours: 2, max_parallel: 2, reason: 'game day' },
      'alice',
    );
    expect(res.statusCode).toBe(202);
    const { override, job } = res.json();
    expect(override).toMatchObject({
      level: 'cluster',
      targetId: 'prod',
      createdBy: 'alice',
      expiresAt: new Date(start + 2 * 3_600_000).toISOString(),
    });
    expect(job.progress).toEqual({ done: 0, total: 21, percent: 0 });

    const forced: JobBody = await w.driveJob(job.id, ['succeeded', 'failed'], 2_000, 240_000);
    expect(forced.status).toBe('succeeded');
    expect(forced.progress).toEqual({ done: 21, total: 21, percent: 100 });
    const live = w.liveNodes();
    expect(live).toHaveLength(20);
    expect(live.every((i) => i.capacityType === 'on-demand')).toBe(true);
    for (const s of spot) expect(['shutting-down', 'terminated']).toContain(w.sim.fleet.get(s.id)?.state);
    const firstHalf = await children(w, job.id);
    expect(firstHalf).toHaveLength(20);
    expect(firstHalf.every((j) => j.status === 'succeeded')).toBe(true);
    expect(maxOverlap(firstHalf)).toBe(2);
    expect(w.kube.get('prod')?.stats.podsLost).toBe(0);
    // The engine's hook: the replacements stay on-demand while the override lasts.
    const r = live[0];
    const ref = { clientId: 'default', clusterId: 'prod', instanceId: r?.id as string, tags: r?.tags };
    expect(await w.plane.overridePolicy.overrideFor(ref)).toBe('on-demand');
    expect((await w.request('GET', '/api/v1/overrides')).json().overrides.map((o: { id: string }) => o.id)).toEqual([override.id]);

    // Two hours after the start, the sweeper (every virtual minute) sees the expiry.
    await w.sim.clock.advance(start + 2 * 3_600_000 - w.sim.clock.now());
    const revert = await w.drive(
      'a revert-to-spot job',
      async () => {
        const jobs = (await w.request('GET', '/api/v1/jobs?kind=revert-to-spot')).json().jobs as ListedJob[];
        return jobs[0];
      },
      10_000,
    );
    expect(revert.params).toMatchObject({ forcedBy: override.id, maxParallel: 2 });
    expect(await w.plane.overridePolicy.overrideFor(ref)).toBeNull();
    expect((await w.request('GET', '/api/v1/overrides')).json().overrides).toEqual([]);
    const back = await w.driveJob(revert.id, ['succeeded', 'failed'], 2_000, 240_000);
    expect(back.status).toBe('succeeded');
    expect(back.progress).toEqual({ done: 21, total: 21, percent: 100 });
    const after = w.liveNodes();
    expect(after).toHaveLength(20);
    expect(after.every((i) => i.capacityType === 'spot' && i.tags[TAG_KEYS.tenant] === 'default')).toBe(true);
    const secondHalf = await children(w, revert.id);
    expect(secondHalf).toHaveLength(20);
    expect(maxOverlap(secondHalf)).toBeLessThanOrEqual(2);
    expect(w.kube.get('prod')?.stats.podsLost).toBe(0);

    // Both halves in the audit log: who forced it, its expiry, and each parent job's run.
    const audit = (await w.request('GET', '/api/v1/audit?limit=500')).json().entries as Array<{
      action: string;
      actor: string;
      target: string;
    }>;
    const of = (action: string, target: string) => audit.filter((e) => e.action === action && e.target === target);
    expect(of('override.created', `override:${override.id}`)[0]?.actor).toBe('alice');
    expect(of('override.expired', `override:${override.id}`)[0]?.actor).toBe('ballast-override-sweeper');
    for (const id of [job.id, revert.id]) {
      expect(of('job.created', `job:${id}`)).toHaveLength(1);
      expect(of('job.succeeded', `job:${id}`)).toHaveLength(1);
    }
    // A second sweep starts no second revert.
    await w.plane.sweeper.sweepNow();
    expect((await w.request('GET', '/api/v1/jobs?kind=revert-to-spot')).json().jobs).toHaveLength(1);
  });
});
