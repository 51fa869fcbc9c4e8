import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ID, PODS } from '../../test/collectors/fixture-pods.ts';
import { type GeneratedTree, makeCgroupTree } from '../../test/fixtures/make-cgroup-tree.ts';
import { BatchBuilder } from '../pipeline/batch-builder.ts';
import { SeriesRegistry } from '../pipeline/series-registry.ts';
import type { Sample } from './collector.ts';
import { ContainerCollector } from './container-collector.ts';
import { StaticPodMetadata } from './pod-metadata.ts';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/cgroup-v2-systemd');
const trees: GeneratedTree[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.cleanup();
});

const openFds = () => readdirSync('/proc/self/fd').length;
const ids = (samples: Sample[]) => new Set(samples.map((s) => s.labels['container_id']).filter(Boolean));

describe('ContainerCollector options', () => {
  it('skips sandbox cgroups the pod metadata does not list, and reads them with sandboxes: include', async () => {
    const metadata = new StaticPodMetadata(PODS);
    const skip = new ContainerCollector({ root: FIXTURE, metadata, sandboxes: 'skip', onError: () => {} });
    const include = new ContainerCollector({ root: FIXTURE, metadata, onError: () => {} });
    const read = ids(await skip.collect());
    const all = ids(await include.collect());
    expect([...all].filter((id) => !read.has(id)).sort()).toEqual([ID.sandboxA, ID.sandboxB].sort());
    expect(skip.stats()).toMatchObject({ containers: 7, skipped: 2 });
  });

  it('reads every cgroup with sandboxes: skip but no metadata (nothing tells a sandbox apart)', async () => {
    const t = makeCgroupTree({ version: 2, pods: 5, seed: 2 });
    trees.push(t);
    const c = new ContainerCollector({ root: t.root, sandboxes: 'skip', onError: () => {} });
    expect(ids(await c.collect()).size).toBe(t.containerCount());
  });

  it('leaves out per-container PSI with pressure: false', async () => {
    const c = new ContainerCollector({ root: FIXTURE, pressure: false, onError: () => {} });
    const samples = await c.collect();
    expect(samples.some((s) => s.metric.startsWith('container_pressure_'))).toBe(false);
    expect(samples.some((s) => s.metric === 'container_memory_working_set_bytes')).toBe(true);
  });

  it('gives the same samples with descriptors kept open or not, and through a BatchBuilder', async () => {
    const t = makeCgroupTree({ version: 2, pods: 20, seed: 4 });
    trees.push(t);
    const kept = new ContainerCollector({ root: t.root, onError: () => {} });
    const reopened = new ContainerCollector({ root: t.root, keepOpen: false, onError: () => {} });
    await kept.collect();
    const a = await kept.collect();
    const b = await reopened.collect();
    expect(a).toEqual(b);
    const registry = new SeriesRegistry(100_000);
    const builder = new BatchBuilder(registry);
    await kept.collectColumns(builder.begin());
    await kept.collectColumns(builder.begin());
    const batch = builder.finish(1);
    const byId = new Map(registry.all().map((d) => [d.id, d]));
    const fromBatch = (batch?.seriesIds ?? []).map((id, i) => {
      const d = byId.get(id);
      return `${d?.metric}${JSON.stringify(Object.fromEntries((d?.labels ?? []).map((l) => [l.name, l.value])))}=${batch?.values[i]}`;
    });
    expect(fromBatch).toEqual(a.map((s) => `${s.metric}${JSON.stringify(s.labels)}=${s.value}`));
  });

  it('closes the files of containers and pods that went away, and all of them on shutdown', async () => {
    const t = makeCgroupTree({ version: 2, pods: 10, seed: 9 });
    trees.push(t);
    const before = openFds();
    const c = new ContainerCollector({ root: t.root, pressure: false, onError: () => {} });
    await c.collect();
    const open = openFds() - before;
    expect(open).toBe(t.containerCount() * 5);
    const pod = t.pods[0] as (typeof t.pods)[number];
    const gone = pod.containers.length;
    t.removePod(pod.uid);
    await c.collect();
    expect(openFds() - before).toBe(open - gone * 5);
    await c.shutdown();
    expect(openFds()).toBe(before);
  });
});
