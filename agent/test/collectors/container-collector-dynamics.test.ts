import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/collectors/collector.ts';
import { ContainerCollector } from '../../src/collectors/container-collector.ts';
import { type GeneratedTree, type MakeCgroupTreeOptions, makeCgroupTree } from '../fixtures/make-cgroup-tree.ts';

const trees: GeneratedTree[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.cleanup();
});

function tree(options: MakeCgroupTreeOptions): GeneratedTree {
  const t = makeCgroupTree(options);
  trees.push(t);
  return t;
}

function collector(t: GeneratedTree, rescanEvery = 6) {
  const errors: unknown[] = [];
  const c = new ContainerCollector({ root: t.root, rescanEvery, onError: (_s, err) => errors.push(err) });
  return { c, errors };
}

const podsIn = (samples: Sample[]) => new Set(samples.map((s) => s.labels['pod_uid']).filter(Boolean));
const containersIn = (samples: Sample[]) => new Set(samples.map((s) => s.labels['container_id']).filter(Boolean));

describe.each([
  { version: 2, driver: 'systemd' },
  { version: 2, driver: 'cgroupfs' },
  { version: 1, driver: 'cgroupfs' },
  { version: 1, driver: 'systemd' },
] as const)('container collector on a generated v$version $driver tree', ({ version, driver }) => {
  it('yields series for all 110 pods and every container', async () => {
    const t = tree({ version, driver, pods: 110, seed: 7 });
    const { c, errors } = collector(t);
    await c.start();
    const samples = await c.collect();
    expect(podsIn(samples).size).toBe(110);
    expect(containersIn(samples).size).toBe(t.containerCount());
    expect(c.stats()).toMatchObject({ version, driver, pods: 110, containers: t.containerCount(), malformedReads: 0, readErrors: 0 });
    expect(errors).toEqual([]);
    const qos = new Set(t.pods.map((p) => p.qos));
    expect(qos).toEqual(new Set(['guaranteed', 'burstable', 'besteffort']));
  });

  it('picks up new pods on the next cycle and drops deleted ones at once', async () => {
    const t = tree({ version, driver, pods: 5, seed: 3 });
    const { c } = collector(t, 1_000);
    await c.start();
    await c.collect();
    const gone = t.pods[0]?.uid as string;
    t.removePod(gone);
    const added = t.addPod('burstable', 2);
    const samples = await c.collect();
    expect(podsIn(samples).has(gone)).toBe(false);
    expect(podsIn(samples).has(added.uid)).toBe(true);
    expect(containersIn(samples).size).toBe(t.containerCount());
  });
});

describe('container discovery caching', () => {
  it('lists a settled pod’s containers again only every rescanEvery cycles', async () => {
    const t = tree({ version: 2, pods: 3, seed: 11 });
    const { c } = collector(t, 3);
    await c.start();
    for (let i = 0; i < 3; i++) await c.collect(); // pods are young for 3 cycles, then settle
    const pod = t.pods[1]?.uid as string;
    const late = t.addContainer(pod);
    const seen: boolean[] = [];
    for (let i = 0; i < 3; i++) seen.push(containersIn(await c.collect()).has(late.id));
    // cycle 4 is the full rescan (cycle 1 was the last); then the new container is seen from then on.
    expect(seen).toEqual([true, true, true]);
    expect(c.stats().fullScans).toBe(2);
  });

  it('does not see a container added to a settled pod between full rescans', async () => {
    const t = tree({ version: 2, pods: 3, seed: 12 });
    const { c } = collector(t, 4);
    await c.start();
    for (let i = 0; i < 5; i++) await c.collect(); // full scans at 1 and 5; pods settle after cycle 4
    const pod = t.pods[0]?.uid as string;
    const late = t.addContainer(pod);
    const seen: boolean[] = [];
    for (let i = 0; i < 4; i++) seen.push(containersIn(await c.collect()).has(late.id));
    expect(seen).toEqual([false, false, false, true]); // found by the full rescan at cycle 9
  });

  it('keeps listing a young pod’s containers each cycle, as they start after the sandbox', async () => {
    const t = tree({ version: 2, pods: 1, seed: 13 });
    const { c } = collector(t, 6);
    await c.start();
    await c.collect();
    const pod = t.addPod('burstable', 0); // sandbox only
    await c.collect();
    const app = t.addContainer(pod.uid);
    expect(containersIn(await c.collect()).has(app.id)).toBe(true);
  });

  it('re-lists after a container cgroup vanishes, and stops reading it', async () => {
    const t = tree({ version: 1, pods: 2, seed: 5 });
    const { c, errors } = collector(t, 3);
    await c.start();
    for (let i = 0; i < 4; i++) await c.collect(); // full scans at cycles 1 and 4; pods settled after 3
    const pod = t.pods[0] as (typeof t.pods)[0];
    const victim = pod.containers[pod.containers.length - 1]?.id as string;
    t.removeContainer(pod.uid, victim);
    // Cycle 5: the fixture is not cgroupfs, where the read would fail; the pod's directory is
    // watched instead, so the pod alone is listed again and the container dropped (the
    // per-container probe that does it when no watch can be set is in container-collector-removal.test.ts).
    expect(containersIn(await c.collect()).has(victim)).toBe(false);
    expect(c.stats()).toMatchObject({ containers: t.containerCount(), fullScans: 2 });
    expect(errors).toEqual([]);
  });

  it('emits only its own counters where there is no cgroup tree or no kubepods yet, then finds them', async () => {
    const t = tree({ version: 2, pods: 0, seed: 1 });
    const empty = new ContainerCollector({ root: '/nonexistent/cgroup', onError: () => {} });
    await empty.start();
    expect((await empty.collect()).map((s) => s.metric)).toEqual([
      'ballast_agent_cgroup_containers',
      'ballast_agent_cgroup_malformed_reads_total',
      'ballast_agent_cgroup_read_errors_total',
    ]);
    const { c } = collector(t, 2);
    await c.start();
    expect(c.stats().pods).toBe(0);
    t.addPod('guaranteed', 1);
    await c.collect();
    expect(c.stats().pods).toBe(1);
  });
});

describe('collection cost', () => {
  it.each([1, 2] as const)('measures the CPU of one collection over 110 pods (cgroup v%i)', async (version) => {
    const t = tree({ version, pods: 110, seed: 42 });
    const { c } = collector(t);
    await c.start();
    await c.collect(); // first cycle walks everything and warms the JIT
    const cycles = 30;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let samples = 0;
    for (let i = 0; i < cycles; i++) samples += (await c.collect()).length;
    const cpu = process.cpuUsage(cpu0);
    const ms = (cpu.user + cpu.system) / 1000 / cycles;
    const wall = (performance.now() - t0) / cycles;
    // At a 10 s interval, 1 ms of CPU per collection is 0.1 millicore.
    console.log(
      `container collector, cgroup v${version}, 110 pods / ${t.containerCount()} cgroups: ${ms.toFixed(2)} ms CPU per collection ` +
        `(${(ms / 10).toFixed(2)} millicores at 10 s), ${wall.toFixed(2)} ms wall, ${samples / cycles} samples`,
    );
    expect(samples).toBeGreaterThan(0);
  });
});
