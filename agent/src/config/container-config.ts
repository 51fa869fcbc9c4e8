import { field } from '@ballast/common';

/** Settings of the per-container collector and its pod watch; part of AGENT_CONFIG. */
export const CONTAINER_CONFIG = {
  containerMetrics: field({
    kind: 'bool',
    flag: 'container-metrics',
    env: ['BALLAST_CONTAINER_METRICS'],
    default: true,
    help: 'collect per-container metrics from the kubepods cgroups',
  }),
  cgroupRoot: field({
    kind: 'string',
    flag: 'cgroup-root',
    env: ['BALLAST_CGROUP_ROOT'],
    default: '/sys/fs/cgroup',
    check: nonEmpty,
    help: 'where cgroups are mounted (v1 or v2 is detected under it)',
  }),
  cgroupDriver: field({
    kind: 'enum',
    flag: 'cgroup-driver',
    env: ['BALLAST_CGROUP_DRIVER'],
    default: 'auto',
    values: ['auto', 'systemd', 'cgroupfs'] as const,
    help: "the kubelet's cgroup driver (auto: probe kubepods.slice, then kubepods)",
  }),
  cgroupRescanCycles: field({
    kind: 'int',
    flag: 'cgroup-rescan-cycles',
    env: ['BALLAST_CGROUP_RESCAN_CYCLES'],
    default: 6,
    min: 1,
    max: 1_000,
    help: "list every pod's container cgroups again every this many collections",
  }),
  containerPressure: field({
    kind: 'bool',
    flag: 'container-pressure',
    env: ['BALLAST_CONTAINER_PRESSURE'],
    // Off by default: three more files and twelve more series per container, about half the
    // collection's cost; node-wide PSI is collected either way.
    default: false,
    help: 'per-container PSI (cpu, memory, io .pressure): container_pressure_* series',
  }),
  cgroupIncludeSandboxes: field({
    kind: 'bool',
    flag: 'cgroup-include-sandboxes',
    env: ['BALLAST_CGROUP_INCLUDE_SANDBOXES'],
    // Off by default: a pod's sandbox (pause) cgroup runs no workload. Only the pod watch tells
    // sandboxes apart, so without pod metadata every cgroup is read whatever this says.
    default: false,
    help: "also read pods' sandbox (pause) cgroups",
  }),
  podMetadata: field({
    kind: 'enum',
    flag: 'pod-metadata',
    env: ['BALLAST_POD_METADATA'],
    default: 'auto',
    values: ['auto', 'kube', 'off'] as const,
    help: 'pod names for container series from a pod watch (auto: when in a cluster or --kubeconfig is set)',
  }),
  kubeconfig: field({
    kind: 'string',
    flag: 'kubeconfig',
    env: ['BALLAST_KUBECONFIG'],
    default: '',
    help: 'kubeconfig file for the pod watch, cordons and drains (empty: the in-cluster service account)',
  }),
};

export function nonEmpty(v: string): string | null {
  return v.trim() === '' ? 'must not be empty' : null;
}
