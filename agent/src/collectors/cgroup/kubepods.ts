import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMissing } from './read-text.ts';

export type CgroupDriver = 'systemd' | 'cgroupfs';
export type QosClass = 'guaranteed' | 'burstable' | 'besteffort';

export interface PodCgroup {
  uid: string;
  qos: QosClass;
  /** Path relative to a controller's mount, e.g. `kubepods/burstable/pod<uid>`. */
  rel: string;
}

export interface ContainerCgroup {
  podUid: string;
  qos: QosClass;
  containerId: string;
  rel: string;
}

/**
 * The kubelet's cgroup root for pods. Guaranteed pods sit directly in it; burstable and
 * best-effort pods sit one level down in a per-QoS cgroup.
 *   systemd:  kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/cri-containerd-<id>.scope
 *   cgroupfs: kubepods/burstable/pod<uid>/<id>
 */
export interface Kubepods {
  driver: CgroupDriver;
  rel: string;
}

const SYSTEMD_POD = /^kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]+)\.slice$/;
const CGROUPFS_POD = /^pod([0-9a-f-]+)$/;
// containerd, docker and CRI-O scopes; `crio-conmon-<id>.scope` (CRI-O's monitor) does not match.
const SYSTEMD_CONTAINER = /^(?:cri-containerd|docker|crio)-([0-9a-f]{12,})\.scope$/;
const CGROUPFS_CONTAINER = /^(?:(?:cri-containerd|docker|crio)-)?([0-9a-f]{12,})$/;

/** Finds kubepods under a hierarchy's mount; `driver` forces one layout instead of probing both. */
export function findKubepods(mount: string, driver?: CgroupDriver): Kubepods | undefined {
  const candidates: Kubepods[] = [
    { driver: 'systemd', rel: 'kubepods.slice' },
    { driver: 'cgroupfs', rel: 'kubepods' },
  ];
  return candidates.find((c) => (!driver || c.driver === driver) && entryNames(join(mount, c.rel)) !== undefined);
}

/**
 * What a directory's entries were parsed into, per directory, so that listing the pods every
 * cycle parses each name once: a pod, or null for anything else (control files, QoS cgroups).
 */
export type PodNameCache = Map<string, Map<string, PodCgroup | null>>;

/**
 * Every pod cgroup: a handful of readdirs, cheap enough to run every cycle (with a cache kept
 * between calls). Paths here and in listContainers are joined with a slash, not path.join:
 * `mount` comes from the layout and every `rel` from directory names, so there is nothing to
 * normalize, and path.join was the largest part of these functions for the JIT.
 */
export function listPods(mount: string, kp: Kubepods, cache: PodNameCache = new Map()): PodCgroup[] {
  const out: PodCgroup[] = [];
  const visit = (rel: string, parentQos?: QosClass) => {
    const names = entryNames(`${mount}/${rel}`);
    if (!names) return;
    let known = cache.get(rel);
    if (!known) {
      known = new Map();
      cache.set(rel, known);
    }
    for (const name of names) {
      let pod = known.get(name);
      if (pod === undefined) {
        const parsed = podFromDirName(name, kp.driver);
        pod = parsed ? { uid: parsed.uid, qos: parentQos ?? parsed.qos, rel: `${rel}/${name}` } : null;
        known.set(name, pod);
      }
      if (pod) out.push(pod);
      else if (!parentQos) {
        const qos = qosFromDirName(name, kp.driver);
        if (qos) visit(`${rel}/${name}`, qos);
      }
    }
    // Forget the names of pods that are gone, so churn does not grow the cache.
    if (known.size > names.length) {
      const present = new Set(names);
      for (const name of known.keys()) if (!present.has(name)) known.delete(name);
    }
  };
  visit(kp.rel);
  return out;
}

/** The container cgroups of one pod (the sandbox's included: nothing in the name tells them apart). */
export function listContainers(mount: string, pod: PodCgroup, driver: CgroupDriver): ContainerCgroup[] {
  const out: ContainerCgroup[] = [];
  for (const name of podEntryNames(mount, pod)) {
    const id = containerIdFromDirName(name, driver);
    if (id) out.push({ podUid: pod.uid, qos: pod.qos, containerId: id, rel: `${pod.rel}/${name}` });
  }
  return out;
}

/**
 * The names in a pod's cgroup directory (empty when it is gone), for a caller that turns only
 * the new container directories among them into {@link ContainerCgroup}s (containerIdFromDirName).
 */
export function podEntryNames(mount: string, pod: PodCgroup): string[] {
  return entryNames(`${mount}/${pod.rel}`) ?? [];
}

export function podFromDirName(name: string, driver: CgroupDriver): { uid: string; qos: QosClass } | undefined {
  if (driver === 'systemd') {
    const m = SYSTEMD_POD.exec(name);
    // systemd reserves '-' for nesting, so the kubelet writes the uid's dashes as underscores.
    return m?.[2] ? { uid: m[2].replaceAll('_', '-'), qos: (m[1] as QosClass | undefined) ?? 'guaranteed' } : undefined;
  }
  const m = CGROUPFS_POD.exec(name);
  return m?.[1] ? { uid: m[1], qos: 'guaranteed' } : undefined;
}

export function containerIdFromDirName(name: string, driver: CgroupDriver): string | undefined {
  return (driver === 'systemd' ? SYSTEMD_CONTAINER : CGROUPFS_CONTAINER).exec(name)?.[1];
}

function qosFromDirName(name: string, driver: CgroupDriver): QosClass | undefined {
  const bare = driver === 'systemd' ? /^kubepods-(burstable|besteffort)\.slice$/.exec(name)?.[1] : name;
  return bare === 'burstable' || bare === 'besteffort' ? bare : undefined;
}

/**
 * Names in a directory, or undefined when it does not exist. Names only, no file types: the
 * pod, QoS and container patterns match only cgroup directories (a cgroup's control files are
 * `cpu.stat`, `cgroup.procs`, …), and a Dirent per entry made listing a pod with its ~60 control
 * files several times dearer.
 */
function entryNames(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}
