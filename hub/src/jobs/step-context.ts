import type { Clock, Logger } from '@ballast/common';
import type { MetadataStore } from '../state/metadata-store.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import { JobRepository } from '../state/repositories/job-repository.ts';
import { JobRunRepository } from '../state/repositories/job-run-repository.ts';
import type { JobRecord, StepRecord } from '../state/repositories/job-types.ts';
import type { StepContext } from './job-kind.ts';

export interface StepContextDeps {
  store: MetadataStore;
  clock: Clock;
  log: Logger;
  runnerId: string;
  signal: AbortSignal;
}

/** The context one attempt of one step runs with. */
export function stepContext(job: JobRecord, step: StepRecord, d: StepContextDeps): StepContext {
  const run = new JobRunRepository(d.store);
  const logs = new JobRepository(d.store);
  return {
    job,
    step,
    dryRun: job.dryRun,
    signal: d.signal,
    now: () => d.clock.now(),
    log: async (level, message) => {
      d.log[level](message, { job: job.id, kind: job.kind, step: step.seq, target: step.target });
      await logs.appendLog(job.id, step.seq, level, message, d.clock.now());
    },
    recordEffect: (effect) => run.recordEffect(job.id, d.runnerId, step.seq, effect),
    // The job id and step number: stable across attempts, retries and runners, and 36 + 1 + digits ≤ 64.
    clientToken: (suffix = '') => `${job.id}-${step.seq}${suffix}`.slice(0, 64),
    audit: async (e) => {
      await new AuditRepository(d.store).append(
        {
          clientId: job.clientId,
          // The person who asked for the job is who acted; the runner only carried it out.
          actor: job.requestedBy,
          sourceIp: job.sourceIp,
          action: e.action,
          target: e.target,
          result: e.result,
          details: { ...e.details, jobId: job.id, step: step.seq, runner: d.runnerId },
        },
        d.clock.now(),
      );
    },
  };
}
