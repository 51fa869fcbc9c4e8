/**
 * The pods of the hand-written fixture trees `cgroup-v2-systemd/` and `cgroup-v1-cgroupfs/`.
 * Both trees hold the same four pods with the same readings in each version's units.
 */
import { fileURLToPath } from 'node:url';
import type { Sample } from '../../src/collectors/collector.ts';
import type { PodShape } from '../../src/collectors/pod-metadata.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export const UID = {
  web: '6b1c3f2e-8d4a-4f0b-9e7c-2a5d1f3b4c6e', // guaranteed
  cache: '0e9a7b5c-3d2f-4a1e-8b6c-9f4d2e1a7b3c', // burstable
  debug: 'c4d8e2f1-6a3b-4c9d-8e7f-1b2a3c4d5e6f', // besteffort
  batch: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b', // burstable
};

export const ID = {
  sandboxA: 'b0894b41b68726e882d5a5233b15328c658dcc99555b41f482cd53655d9760ce',
  nginx: '7e5b1653a48d4d9e738e25094e7120e0768361e915e74106a39a3a6e7e403017', // CFS-throttled
  sandboxB: '4c71d51cdcda4f8b0b90d72d4b16d1940d4522e16e7082fd99a4950468c45b70',
  redis: '46a4885850152bd293445bab0549a48d8631e187d70f81ac113d5b5497a97469', // OOM-killed twice
  exporter: '21e357fa4f6d23f8793afab0873ddcdbc747fec0c791702c4b77026fa62af380',
  shell: '83c874d7be25b653bd2820d47a0ae8103d61c9c373c76301bbd7167a3f841556', // malformed files
  worker: 'c3a31a791962123380a191a6eef67be0bb3e4d3da1cf3e04651964f2cdbf4e88', // two disks, no PSI
};

export const PODS: PodShape[] = [
  {
    metadata: {
      uid: UID.web,
      name: 'web-7d9f8b6c5-x2k4p',
      namespace: 'shop',
      labels: { app: 'web', 'pod-template-hash': '7d9f8b6c5' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9f8b6c5', controller: true }],
    },
    status: { containerStatuses: [{ name: 'nginx', containerID: `containerd://${ID.nginx}` }] },
  },
  {
    metadata: {
      uid: UID.cache,
      name: 'cache-0',
      namespace: 'shop',
      ownerReferences: [{ kind: 'StatefulSet', name: 'cache', controller: true }],
    },
    status: {
      containerStatuses: [
        // redis restarted after its OOM kill: the status lists the new id; the cgroup here is the previous one.
        {
          name: 'redis',
          containerID: 'containerd://1111111111111111111111111111111111111111111111111111111111111111',
          lastState: { terminated: { containerID: `containerd://${ID.redis}` } },
        },
        { name: 'exporter', containerID: `containerd://${ID.exporter}` },
      ],
    },
  },
  {
    metadata: { uid: UID.debug, name: 'debug-shell', namespace: 'default' },
    status: { containerStatuses: [{ name: 'shell', containerID: `containerd://${ID.shell}` }] },
  },
  {
    metadata: {
      uid: UID.batch,
      name: 'batch-28431520-qz7mw',
      namespace: 'jobs',
      ownerReferences: [{ kind: 'Job', name: 'batch-28431520', controller: true }],
    },
    status: { containerStatuses: [{ name: 'worker', containerID: `containerd://${ID.worker}` }] },
  },
];

/** `metric` → value for one container id, to compare with exact expectations. */
export function valuesOf(samples: Sample[], containerId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.labels['container_id'] === containerId) out[s.metric] = s.value;
  return out;
}

/** The readings both trees hold, in base units, hand-computed from the fixture files. */
export const EXPECTED: Record<string, Record<string, number>> = {
  nginx: {
    container_cpu_usage_seconds_total: 8123.456789,
    container_cpu_cfs_periods_total: 51234,
    container_cpu_cfs_throttled_periods_total: 1789,
    container_cpu_cfs_throttled_seconds_total: 93.456789,
    container_memory_usage_bytes: 536870912,
    // 512 MiB usage − 96 MiB inactive_file
    container_memory_working_set_bytes: 436207616,
    container_oom_events_total: 0,
    container_fs_reads_bytes_total: 1048576,
    container_fs_writes_bytes_total: 2097152,
    container_pressure_cpu_some_seconds_total: 45.678901,
    container_pressure_cpu_some_avg10_percent: 12.34,
    container_pressure_cpu_full_seconds_total: 40.123456,
    container_pressure_cpu_full_avg10_percent: 10.01,
    container_pressure_memory_some_seconds_total: 0.001234,
    container_pressure_memory_some_avg10_percent: 0,
    container_pressure_memory_full_seconds_total: 0.000567,
    container_pressure_memory_full_avg10_percent: 0,
    container_pressure_io_some_seconds_total: 2.345678,
    container_pressure_io_some_avg10_percent: 0.5,
    container_pressure_io_full_seconds_total: 1.234567,
    container_pressure_io_full_avg10_percent: 0.4,
  },
  redis: {
    container_cpu_usage_seconds_total: 1.5,
    container_cpu_cfs_periods_total: 0,
    container_cpu_cfs_throttled_periods_total: 0,
    container_cpu_cfs_throttled_seconds_total: 0,
    container_memory_usage_bytes: 268435456,
    // 256 MiB − 16 MiB
    container_memory_working_set_bytes: 251658240,
    container_oom_events_total: 2,
    container_fs_reads_bytes_total: 8192,
    container_fs_writes_bytes_total: 409600,
  },
  exporter: {
    container_cpu_usage_seconds_total: 0.25,
    container_memory_usage_bytes: 33554432,
    container_memory_working_set_bytes: 33554432,
    container_oom_events_total: 0,
    container_fs_reads_bytes_total: 0,
    container_fs_writes_bytes_total: 0,
  },
  worker: {
    container_cpu_usage_seconds_total: 987.654321,
    container_memory_usage_bytes: 104857600,
    // 100 MiB − 50 MiB
    container_memory_working_set_bytes: 52428800,
    // summed over 259:0 and 259:1
    container_fs_reads_bytes_total: 1000500,
    container_fs_writes_bytes_total: 2000000,
  },
};
