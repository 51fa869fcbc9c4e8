import type { CatalogStatus } from '../catalog/catalog-types.ts';
import type { IngestStats } from '../ingest/ingest-pipeline.ts';
import type { ComponentProbe } from './pipeline-health.ts';

/** Ingest: degraded when its queue is full (agents are then held back), with the last store error it saw. */
export function ingestProbe(stats: () => IngestStats, maxQueuedPoints: number): ComponentProbe {
  return {
    name: 'ingest',
    check: async () => {
      const s = stats();
      const detail = {
        queuedPoints: s.queuedPoints,
        storedPoints: s.storedPoints,
        failedInserts: s.failedInserts,
        lastInsertMs: s.lastInsertMs,
      };
      if (s.queuedPoints >= maxQueuedPoints) return { detail, degraded: `ingest queue is full; last store error: ${s.lastError}` };
      return { detail };
    },
  };
}

/** The metrics store: a round trip (its latency is the check's). */
export function storeProbe(ping: () => Promise<void>): ComponentProbe {
  return { name: 'store', check: async () => void (await ping()) };
}

/** The catalog: degraded while a refresh keeps failing (it serves its last good data meanwhile). */
export function catalogProbe(status: () => CatalogStatus): ComponentProbe {
  return {
    name: 'catalog',
    check: async () => {
      const s = status();
      const detail = { instanceTypes: s.instanceTypes.count, spotPools: s.spotPrices.pools, onDemandPrices: s.onDemandPrices.count };
      const failing = (
        [
          ['instance types', s.instanceTypes],
          ['spot prices', s.spotPrices],
          ['on-demand prices', s.onDemandPrices],
        ] as const
      ).find(([, r]) => r.consecutiveFailures > 0);
      if (failing) return { detail, degraded: `${failing[0]} refresh failing: ${failing[1].lastError?.message ?? 'unknown error'}` };
      return { detail };
    },
  };
}

/** A component absent from this hub (no cloud configured: no solver, no executor). */
export function absentProbe(name: string, why: string): ComponentProbe {
  return {
    name,
    check: async () => {
      throw new Error(why);
    },
  };
}

/** The decision loops: degraded while a cluster's last run failed (it keeps deciding on the next interval). */
export function decisionProbe(loops: {
  status(): Array<{
    clientId: string;
    clusterId: string;
    runs: number;
    lastRunAtMs: number | null;
    dryRun: boolean;
    lastError: { message: string } | null;
  }>;
  /** The decision policies that differ from the defaults. */
  policies: object;
}): ComponentProbe {
  return {
    name: 'decisions',
    check: async () => {
      const all = loops.status();
      const detail = {
        clusters: all.length,
        dryRun: all.every((l) => l.dryRun),
        runs: all.reduce((n, l) => n + l.runs, 0),
        lastRunAt: Math.max(0, ...all.map((l) => l.lastRunAtMs ?? 0)) || null,
        policyOverrides: loops.policies,
      };
      const failing = all.find((l) => l.lastError);
      if (failing) return { detail, degraded: `cluster ${failing.clientId}/${failing.clusterId}: ${failing.lastError?.message}` };
      return { detail };
    },
  };
}

/** The job runner that carries out switches, cleanups and governance. */
export function executorProbe(runner: { active: number; runnerId: string }): ComponentProbe {
  return { name: 'executor', check: async () => ({ detail: { activeJobs: runner.active, runnerId: runner.runnerId } }) };
}

/** The placement solver: its latest best plan over the clusters (degraded while loops run but none solved). */
export function solverProbe(plans: {
  bestPlan(tenant: null): Promise<{ savingsPerHour: number; computedAtMs: number } | null>;
  size: number;
}): ComponentProbe {
  return {
    name: 'solver',
    check: async () => {
      const best = await plans.bestPlan(null);
      const detail = { clusters: plans.size, savingsPerHour: best?.savingsPerHour ?? null, computedAt: best?.computedAtMs ?? null };
      return best ? { detail } : { detail, degraded: 'no plan solved yet' };
    },
  };
}
