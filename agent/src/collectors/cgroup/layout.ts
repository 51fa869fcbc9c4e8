import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type CgroupVersion = 1 | 2;

/**
 * Where each kind of file lives. Under cgroup v2 every field is the root. Under v1 each
 * controller has its own mount (`cpu,cpuacct` is usually one co-mounted directory, but some
 * hosts — this one included — mount `cpu` and `cpuacct` separately).
 */
export interface CgroupLayout {
  version: CgroupVersion;
  root: string;
  cpu?: string;
  cpuacct?: string;
  memory?: string;
  blkio?: string;
  /** PSI files: the v2 root, the hybrid host's `unified` mount, or none. */
  pressure?: string;
  /** The hierarchy searched for kubepods; every container's relative path is the same in the others. */
  walk: string;
}

const V1_DIRS = {
  cpu: ['cpu,cpuacct', 'cpu', 'cpuacct,cpu'],
  cpuacct: ['cpu,cpuacct', 'cpuacct', 'cpuacct,cpu'],
  memory: ['memory'],
  blkio: ['blkio'],
} as const;

/**
 * Detects the cgroup version mounted at `root`; undefined when neither looks mounted there.
 * The directories are normalized (no trailing slash), so callers may join them with a plain `/`.
 */
export function detectLayout(given: string): CgroupLayout | undefined {
  const root = resolve(given);
  // cgroup.controllers exists only at the root of a v2 (unified) hierarchy.
  if (existsSync(join(root, 'cgroup.controllers'))) {
    return { version: 2, root, cpu: root, cpuacct: root, memory: root, blkio: root, pressure: root, walk: root };
  }
  const found = (names: readonly string[]) => names.map((n) => join(root, n)).find((p) => existsSync(p));
  const cpu = found(V1_DIRS.cpu);
  const cpuacct = found(V1_DIRS.cpuacct);
  const memory = found(V1_DIRS.memory);
  const blkio = found(V1_DIRS.blkio);
  const walk = cpuacct ?? memory ?? cpu;
  if (!walk) return undefined;
  // Hybrid hosts mount an empty v2 tree at `unified`; it has per-cgroup PSI files even though
  // it holds no controllers.
  const unified = join(root, 'unified');
  const pressure = existsSync(join(unified, 'cgroup.controllers')) ? unified : undefined;
  return { version: 1, root, cpu, cpuacct, memory, blkio, pressure, walk };
}
