import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Counts the reader's per-container probes (existsSync) and can make fs.watch fail (the inotify watch limit). */
const fsState = vi.hoisted(() => ({ exists: 0, watchFails: false, watchers: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const wrapped = {
    ...fs,
    existsSync: (path: import('node:fs').PathLike) => {
      fsState.exists += 1;
      return fs.existsSync(path);
    },
    watch: ((...args: Parameters<typeof fs.watch>) => {
      if (fsState.watchFails)
        throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
      const w = fs.watch(...args);
      fsState.watchers += 1;
      // Counted when closed (the 'close' event comes a tick later).
      const close = w.close.bind(w);
      let open = true;
      w.close = () => {
        if (open) fsState.watchers -= 1;
        open = false;
        close();
      };
      return w;
    }) as typeof fs.watch,
  };
  return { ...wrapped, default: wrapped };
});

const { ContainerCollector } = await import('../../src/collectors/container-collector.ts');
const { makeCgroupTree } = await import('../fixtures/make-cgroup-tree.ts');
type Tree = ReturnType<typeof makeCgroupTree>;

const trees: Tree[] = [];
beforeEach(() => {
  fsState.exists = 0;
  fsState.watchFails = false;
});
afterEach(() => {
  for (const t of trees.splice(0)) t.cleanup();
});

function setup(version: 1 | 2, rescanEvery: number) {
  const t = makeCgroupTree({ version, pods: 4, seed: 21 });
  trees.push(t);
  const errors: unknown[] = [];
  const c = new ContainerCollector({ root: t.root, rescanEvery, onError: (_s, err) => errors.push(err) });
  return { t, c, errors };
}

const containersIn = (samples: { labels: Record<string, string> }[]) =>
  new Set(samples.map((s) => s.labels['container_id']).filter(Boolean));

describe.each([1, 2] as const)('container removal on a file system that is not cgroupfs (v%i)', (version) => {
  it('watches pod directories instead of probing every container on every cycle, and drops a removed container on the next cycle', async () => {
    const { t, c, errors } = setup(version, 3);
    await c.start();
    for (let i = 0; i < 4; i++) await c.collect(); // full scans at cycles 1 and 4; pods settled after 3
    expect(fsState.watchers).toBe(t.pods.length);
    fsState.exists = 0;
    await c.collect();
    expect(fsState.exists).toBe(0);
    const pod = t.pods[1] as Tree['pods'][0];
    const victim = pod.containers[pod.containers.length - 1]?.id as string;
    t.removeContainer(pod.uid, victim);
    expect(containersIn(await c.collect()).has(victim)).toBe(false); // cycle 6
    expect(c.stats()).toMatchObject({ containers: t.containerCount(), fullScans: 2 });
    // A removed pod's watch goes with it.
    t.removePod((t.pods[0] as Tree['pods'][0]).uid);
    await c.collect();
    expect(fsState.watchers).toBe(t.pods.length);
    await c.shutdown();
    expect(fsState.watchers).toBe(0);
    expect(errors).toEqual([]);
  });

  it('without a watch (e.g. the inotify limit) probes each container’s directory and drops a removed one on the next cycle', async () => {
    fsState.watchFails = true;
    const { t, c, errors } = setup(version, 3);
    await c.start();
    for (let i = 0; i < 4; i++) await c.collect();
    fsState.exists = 0;
    await c.collect();
    expect(fsState.exists).toBe(t.containerCount());
    const pod = t.pods[0] as Tree['pods'][0];
    const victim = pod.containers[pod.containers.length - 1]?.id as string;
    t.removeContainer(pod.uid, victim);
    expect(containersIn(await c.collect()).has(victim)).toBe(false); // cycle 6: the probe finds it gone
    expect(c.stats()).toMatchObject({ containers: t.containerCount(), fullScans: 2 });
    await c.collect(); // cycle 7: early full rescan after a vanished container (one was due at 7 anyway)
    expect(c.stats().fullScans).toBe(3);
    expect(errors).toEqual([]);
  });
});
