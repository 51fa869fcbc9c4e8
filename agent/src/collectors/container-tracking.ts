import type { FSWatcher } from 'node:fs';
import type { CgroupDriver, ContainerCgroup, PodCgroup } from './cgroup/kubepods.ts';
import type { CgroupVersion } from './cgroup/layout.ts';
import type { ContainerFiles, ReadProblem } from './cgroup/stats-reader.ts';
import type { PodMetadata, PodMetadataSource } from './pod-metadata.ts';

// The container collector's options, counters, error and what it tracks per pod and container.

export interface ContainerCollectorOptions {
  /** Where cgroups are mounted (default /sys/fs/cgroup); v1 or v2 is detected under it. */
  root?: string;
  /** Forces the kubelet cgroup driver instead of probing for kubepods.slice, then kubepods. */
  driver?: CgroupDriver;
  /** Names for pod uids and container ids; without it series carry only pod_uid and container_id. */
  metadata?: PodMetadataSource;
  /** Every this many cycles the containers of every pod are listed again (default 6). */
  rescanEvery?: number;
  /** Containers read per event-loop turn; reads are synchronous, so this bounds the pause (default 32). */
  batchSize?: number;
  /**
   * Per-container PSI (`container_pressure_*`, three more files and twelve more series per
   * container; default true). The agent turns it off unless asked: node PSI stays on.
   */
  pressure?: boolean;
  /**
   * `skip`: do not read the pod sandbox's (pause) cgroup, which runs no workload. Only the
   * pod metadata can tell it apart (nothing in a cgroup's name or files does): a cgroup of a
   * known pod whose status lists no container with its id is the sandbox. Without metadata
   * every cgroup is read. Default `include`; the agent skips them unless asked.
   */
  sandboxes?: 'include' | 'skip';
  /** Keep cgroup files open between cycles and re-read them at offset 0 (default true). */
  keepOpen?: boolean;
  /** Called once per file path that is malformed or unreadable (they are counted every time). */
  onError: (source: string, err: unknown) => void;
}

export interface ContainerCollectorStats {
  version?: CgroupVersion;
  driver?: CgroupDriver;
  pods: number;
  containers: number;
  /** Sandbox cgroups not read (sandboxes: 'skip'). */
  skipped: number;
  fullScans: number;
  malformedReads: number;
  readErrors: number;
}

/** A cgroup file whose content was not what the kernel writes, or that could not be read. */
export class CgroupFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: ReadProblem,
    cause?: unknown,
  ) {
    super(problem === 'malformed' ? `malformed cgroup file ${path}` : `cannot read cgroup file ${path}`, { cause });
    this.name = 'CgroupFileError';
  }
}

export interface Tracked {
  cg: ContainerCgroup;
  files: ContainerFiles;
  meta?: PodMetadata;
  labels?: Record<string, string>;
  /** The sandbox, when sandboxes are skipped: tracked (so it is not listed again) but not read. */
  skip: boolean;
  /** Series handle per CONTAINER_METRICS entry; -1 until first used under the current labels and sink scope. */
  handles: Int32Array;
  /** The listing of its pod that last found it (see relist). */
  listed: number;
  owner: TrackedPod;
}

export interface TrackedPod {
  pod: PodCgroup;
  firstCycle: number;
  /** The last cycle whose pod listing found it. */
  seen: number;
  containers: Map<string, Tracked>;
  /** The pod's directory watched for container cgroups that go (not on a kernel file system; see watchPod). */
  watcher: FSWatcher | null;
  /** A tracked container's directory was removed or renamed since the last listing: list the pod again. */
  changed: boolean;
}
