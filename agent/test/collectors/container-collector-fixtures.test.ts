import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/collectors/collector.ts';
import { CgroupFileError, ContainerCollector } from '../../src/collectors/container-collector.ts';
import { StaticPodMetadata } from '../../src/collectors/pod-metadata.ts';
import { EXPECTED, FIXTURES, ID, PODS, UID, valuesOf } from './fixture-pods.ts';

const TREES = [
  { name: 'cgroup v2, systemd driver', dir: 'cgroup-v2-systemd', version: 2, driver: 'systemd' },
  { name: 'cgroup v1, cgroupfs driver', dir: 'cgroup-v1-cgroupfs', version: 1, driver: 'cgroupfs' },
] as const;

async function collectOnce(dir: string, withMetadata: boolean) {
  const errors: { source: string; err: unknown }[] = [];
  const c = new ContainerCollector({
    root: join(FIXTURES, dir),
    metadata: withMetadata ? new StaticPodMetadata(PODS) : undefined,
    onError: (source, err) => errors.push({ source, err }),
  });
  await c.start();
  const samples = await c.collect();
  return { c, samples, errors };
}

function containerIds(samples: Sample[]): Set<string> {
  return new Set(samples.map((s) => s.labels['container_id']).filter((id): id is string => id !== undefined));
}

describe.each(TREES)('container collector on the $name fixture', ({ dir, version, driver }) => {
  it('detects the version and driver and finds every pod and container, sandboxes included', async () => {
    const { c, samples } = await collectOnce(dir, false);
    expect(c.stats()).toMatchObject({ version, driver, pods: 4, containers: 7 });
    // The malformed container still reports what it could read (v2: memory PSI; v1: cpu.stat's good lines).
    expect(containerIds(samples)).toEqual(new Set(Object.values(ID)));
  });

  it('reads the throttled container exactly, PSI included', async () => {
    const { samples } = await collectOnce(dir, false);
    expect(valuesOf(samples, ID.nginx)).toEqual(EXPECTED['nginx']);
  });

  it('counts OOM kills and computes working set as usage − inactive_file', async () => {
    const { samples } = await collectOnce(dir, false);
    expect(valuesOf(samples, ID.redis)).toMatchObject(EXPECTED['redis'] as object);
    expect(valuesOf(samples, ID.exporter)).toMatchObject(EXPECTED['exporter'] as object);
    expect(valuesOf(samples, ID.worker)).toMatchObject(EXPECTED['worker'] as object);
  });

  it('skips missing files silently and counts malformed ones once each, without throwing', async () => {
    const { c, samples, errors } = await collectOnce(dir, false);
    // v2: cpu.stat, memory.current, io.stat, cpu.pressure. v1: cpuacct.usage, cpu.stat, memory.usage_in_bytes, blkio.
    expect(c.stats()).toMatchObject({ malformedReads: 4, readErrors: 0 });
    expect(errors).toHaveLength(4);
    for (const e of errors) {
      expect(e.source).toBe('cgroup-file');
      expect(e.err).toBeInstanceOf(CgroupFileError);
      expect((e.err as CgroupFileError).path).toContain(ID.shell);
    }
    const shell = valuesOf(samples, ID.shell);
    expect(shell['container_cpu_usage_seconds_total']).toBeUndefined();
    expect(shell['container_memory_usage_bytes']).toBeUndefined();
    expect(shell['container_memory_working_set_bytes']).toBeUndefined();
    expect(shell['container_fs_reads_bytes_total']).toBeUndefined();
    const self = Object.fromEntries(samples.filter((s) => s.metric.startsWith('ballast_agent_')).map((s) => [s.metric, s.value]));
    expect(self).toEqual({
      ballast_agent_cgroup_containers: 7,
      ballast_agent_cgroup_malformed_reads_total: 4,
      ballast_agent_cgroup_read_errors_total: 0,
    });
  });

  it('counts malformed files again every cycle but reports each path once', async () => {
    const { c, errors } = await collectOnce(dir, false);
    await c.collect();
    expect(c.stats().malformedReads).toBe(8);
    expect(errors).toHaveLength(4);
  });

  it('labels by pod uid and container id only when there is no metadata', async () => {
    const { samples } = await collectOnce(dir, false);
    const s = samples.find((x) => x.labels['container_id'] === ID.nginx);
    expect(s?.labels).toEqual({ pod_uid: UID.web, container_id: ID.nginx });
  });

  it('labels with pod, namespace, container and owner from the metadata source', async () => {
    const { samples } = await collectOnce(dir, true);
    const labels = (id: string) => samples.find((x) => x.labels['container_id'] === id)?.labels;
    expect(labels(ID.nginx)).toEqual({
      pod: 'web-7d9f8b6c5-x2k4p',
      namespace: 'shop',
      container: 'nginx',
      owner_kind: 'Deployment',
      owner_name: 'web',
      pod_uid: UID.web,
      container_id: ID.nginx,
    });
    // The previous instance of a restarted container keeps its name; the sandbox has none.
    expect(labels(ID.redis)).toMatchObject({ pod: 'cache-0', container: 'redis', owner_kind: 'StatefulSet', owner_name: 'cache' });
    expect(labels(ID.sandboxA)).toMatchObject({ pod: 'web-7d9f8b6c5-x2k4p', container: '' });
    expect(labels(ID.shell)).toMatchObject({ pod: 'debug-shell', namespace: 'default', owner_kind: '', owner_name: '' });
    expect(labels(ID.worker)).toMatchObject({ namespace: 'jobs', owner_kind: 'Job', owner_name: 'batch-28431520' });
  });

  it('follows metadata that changes between cycles, and skips sandboxes once the metadata tells them apart', async () => {
    const metadata = new StaticPodMetadata(PODS.filter((p) => p.metadata?.uid !== UID.web));
    const c = new ContainerCollector({ root: join(FIXTURES, dir), metadata, sandboxes: 'skip', onError: () => {} });
    await c.start();
    const labels = (samples: Sample[], id: string) => samples.find((x) => x.labels['container_id'] === id)?.labels;
    let samples = await c.collect();
    // web is not known yet: ids only, and its sandbox is read (nothing tells it apart).
    expect(labels(samples, ID.nginx)).toEqual({ pod_uid: UID.web, container_id: ID.nginx });
    expect(containerIds(samples).has(ID.sandboxA)).toBe(true);
    samples = await c.collect();
    expect(labels(samples, ID.nginx)).toEqual({ pod_uid: UID.web, container_id: ID.nginx });
    metadata.set(PODS.find((p) => p.metadata?.uid === UID.web) as (typeof PODS)[number]);
    samples = await c.collect();
    expect(labels(samples, ID.nginx)).toMatchObject({ pod: 'web-7d9f8b6c5-x2k4p', container: 'nginx' });
    expect(containerIds(samples).has(ID.sandboxA)).toBe(false);
    metadata.delete(UID.cache);
    samples = await c.collect();
    expect(labels(samples, ID.redis)).toEqual({ pod_uid: UID.cache, container_id: ID.redis });
  });

  it('marks every sample with its kind and unit', async () => {
    const { samples } = await collectOnce(dir, false);
    const kinds = Object.fromEntries(samples.map((s) => [s.metric, `${s.kind}/${s.unit}`]));
    expect(kinds).toMatchObject({
      container_cpu_usage_seconds_total: 'counter/seconds',
      container_cpu_cfs_throttled_seconds_total: 'counter/seconds',
      container_memory_working_set_bytes: 'gauge/bytes',
      container_oom_events_total: 'counter/events',
      container_fs_writes_bytes_total: 'counter/bytes',
      container_pressure_cpu_some_seconds_total: 'counter/seconds',
      container_pressure_cpu_some_avg10_percent: 'gauge/percent',
    });
  });
});

describe('version differences the fixtures capture', () => {
  it('v2: a cgroup without the cpu controller has no CFS series; older memory.events still has oom_kill', async () => {
    const { samples } = await collectOnce('cgroup-v2-systemd', false);
    const worker = valuesOf(samples, ID.worker);
    expect(worker['container_cpu_cfs_periods_total']).toBeUndefined();
    expect(worker['container_oom_events_total']).toBe(0);
    expect(Object.keys(worker).some((m) => m.startsWith('container_pressure_'))).toBe(false);
    expect(valuesOf(samples, ID.redis)).toMatchObject({
      container_pressure_memory_some_seconds_total: 9.876543,
      container_pressure_memory_some_avg10_percent: 25,
      container_pressure_memory_full_seconds_total: 8.765432,
    });
    // The malformed container's valid memory.pressure still counts.
    expect(valuesOf(samples, ID.shell)).toEqual({
      container_pressure_memory_some_seconds_total: 0.000042,
      container_pressure_memory_some_avg10_percent: 0,
      container_pressure_memory_full_seconds_total: 0.000007,
      container_pressure_memory_full_avg10_percent: 0,
    });
  });

  it('v1: PSI comes from the hybrid unified tree where it exists; a kernel before 4.13 has no oom_kill line', async () => {
    const { samples } = await collectOnce('cgroup-v1-cgroupfs', false);
    const worker = valuesOf(samples, ID.worker);
    expect(worker['container_oom_events_total']).toBeUndefined();
    expect(worker['container_cpu_cfs_periods_total']).toBe(0);
    expect(Object.keys(valuesOf(samples, ID.redis)).some((m) => m.startsWith('container_pressure_'))).toBe(false);
    // cpu.stat had one bad line (nr_throttled x): the file is counted malformed, the good lines are kept.
    expect(valuesOf(samples, ID.shell)).toEqual({ container_cpu_cfs_periods_total: 0, container_cpu_cfs_throttled_seconds_total: 0 });
  });
});
