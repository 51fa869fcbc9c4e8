import type { PdbSpec } from '../../hub/src/decisions/index.ts';
import { Rng } from '../../sim/src/core/rng.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface JobArrival {
  /** Running time the job needs, uninterrupted (a disrupted job starts over). */
  durationMs: number;
}

export interface WorkloadSpec {
  name: string;
  kind: 'deployment' | 'statefulset' | 'job';
  cpuMillis: number;
  memoryMib: number;
  /** Desired replicas at t (deployments, statefulsets). */
  replicas?: (tMs: number) => number;
  /** Jobs arriving in (fromMs, toMs] (jobs). */
  arrivals?: (fromMs: number, toMs: number) => JobArrival[];
  /** The autoscaler's floor (what the PDB-safe node size reads). */
  minReplicas: number;
  pdb: PdbSpec | null;
  /** From bound to Ready. */
  startupMs: number;
  /** From eviction to gone. */
  graceMs: number;
  /** Hostname anti-affinity: at most this many pods per node. */
  maxPerNode?: number;
  spotAllowed: boolean;
  /** Marked do-not-disrupt (karpenter.sh/do-not-disrupt, CA safe-to-evict: false): no voluntary eviction. */
  doNotDisrupt?: boolean;
}

/**
 * A 200-pod web service: 500m / 1 GiB pods, an HPA following a diurnal curve between 100
 * replicas (09:00 UTC, night in the US) and 200 (21:00 UTC), adjusted every 5 minutes, PDB
 * maxUnavailable 10%, 30 s to Ready, 30 s grace.
 */
export function webService(name = 'web', peak = 200, trough = 100): WorkloadSpec {
  const mid = (peak + trough) / 2;
  const amp = (peak - trough) / 2;
  return {
    name,
    kind: 'deployment',
    cpuMillis: 500,
    memoryMib: 1024,
    replicas: (t) => {
      const step = Math.floor(t / (5 * MINUTE_MS)) * 5 * MINUTE_MS;
      const hour = (step % (24 * HOUR_MS)) / HOUR_MS;
      return Math.round(mid - amp * Math.cos((2 * Math.PI * (hour - 9)) / 24));
    },
    minReplicas: trough,
    pdb: { maxUnavailable: '10%' },
    startupMs: 30_000,
    graceMs: 30_000,
    spotAllowed: true,
  };
}

/**
 * A batch workload: waves of jobs at 00:00, 06:00, 12:00 and 18:00 UTC, 80 jobs each of
 * 1 vCPU / 2 GiB running 30–120 minutes (seeded), no PDB; a disrupted job starts over, so the
 * pods are marked do-not-disrupt (consolidation waits for them to finish).
 */
export function batchJobs(name = 'batch', perWave = 80, seed = 7): WorkloadSpec {
  const wave = 6 * HOUR_MS;
  return {
    name,
    kind: 'job',
    cpuMillis: 1000,
    memoryMib: 2048,
    arrivals: (fromMs, toMs) => {
      const out: JobArrival[] = [];
      for (let w = Math.floor(fromMs / wave) + 1; w * wave <= toMs; w++) {
        const rng = new Rng(seed).fork(`wave:${w}`);
        for (let i = 0; i < perWave; i++) out.push({ durationMs: (30 + Math.floor(rng.next() * 91)) * MINUTE_MS });
      }
      return out;
    },
    minReplicas: 0,
    pdb: null,
    startupMs: 20_000,
    graceMs: 30_000,
    spotAllowed: true,
    doNotDisrupt: true,
  };
}

/**
 * A stateful set with a strict budget: 9 replicas of 2 vCPU / 8 GiB, one per node
 * (hostname anti-affinity), PDB maxUnavailable 1, 3 minutes to Ready (it syncs from its
 * peers), 60 s grace; a replacement pod is created only after the old one is gone.
 */
export function statefulSet(name = 'db', replicas = 9): WorkloadSpec {
  return {
    name,
    kind: 'statefulset',
    cpuMillis: 2000,
    memoryMib: 8192,
    replicas: () => replicas,
    minReplicas: replicas,
    pdb: { maxUnavailable: 1 },
    startupMs: 180_000,
    graceMs: 60_000,
    maxPerNode: 1,
    spotAllowed: true,
  };
}

export const WORKLOADS: Record<string, () => WorkloadSpec[]> = {
  'web-200': () => [webService()],
  batch: () => [batchJobs()],
  stateful: () => [statefulSet()],
  mixed: () => [webService(), batchJobs(), statefulSet()],
};
