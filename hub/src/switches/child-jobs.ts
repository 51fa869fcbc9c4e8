import { createHash } from 'node:crypto';
import type { Clock } from '@ballast/common';
import { auditJob } from '../jobs/job-audit.ts';
import type { JobKindRegistry } from '../jobs/job-kind-registry.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import { ChildJobRepository, type ChildJobState } from '../state/repositories/child-job-repository.ts';
import { JobRepository } from '../state/repositories/job-repository.ts';
import type { JobRecord } from '../state/repositories/job-types.ts';

/** A uuid derived from a name (v5 layout over SHA-1), so a parent's step creates the same child on every attempt. */
export function derivedUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export interface ChildJobsDeps {
  store: MetadataStore;
  kinds: JobKindRegistry;
  clock: Clock;
  /** Tells the runner there is work (late-bound: the runner is built after the kinds). */
  wake: () => void;
}

/**
 * Child jobs of a parent job: created with an id derived from the parent and its step, so
 * a parent step that runs again finds its child rather than starting a second one; run by
 * the same runner; requested by whoever requested the parent (the audit log names them).
 */
export class ChildJobs {
  constructor(private readonly d: ChildJobsDeps) {}

  list(parentId: string): Promise<ChildJobState[]> {
    return new ChildJobRepository(this.d.store).children(parentId);
  }

  /** Creates the child unless it exists; returns it and whether this call created it. */
  async ensure(parent: JobRecord, seq: number, c: { clientId: string; kind: string; params: Record<string, unknown> }) {
    const id = derivedUuid(`${parent.id}/${seq}`);
    const repo = new JobRepository(this.d.store);
    const existing = await repo.get(null, id);
    if (existing) return { job: existing, created: false };
    const kind = this.d.kinds.require(c.kind);
    const params = kind.parseParams({ ...c.params, parentJobId: parent.id }) as Record<string, unknown>;
    const steps = await kind.plan(params);
    const now = this.d.clock.now();
    const job = await this.d.store.transaction(async (tx) => {
      const j = await new JobRepository(tx).create(
        {
          id,
          clientId: c.clientId,
          kind: c.kind,
          status: 'pending',
          dryRun: parent.dryRun,
          params,
          requestedBy: parent.requestedBy,
          sourceIp: parent.sourceIp,
          note: parent.note,
          steps,
        },
        now,
      );
      const summary = kind.summary(params);
      await new JobRepository(tx).appendLog(id, null, 'info', `created by job ${parent.id} (${parent.kind}): ${summary}`, now);
      await auditJob(
        tx,
        j,
        { action: 'job.created', actor: parent.requestedBy, sourceIp: parent.sourceIp, details: { summary, parentJobId: parent.id } },
        now,
      );
      return j;
    });
    this.d.wake();
    return { job, created: true };
  }
}
