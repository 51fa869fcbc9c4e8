import type { JobService } from '../jobs/job-service.ts';
import type { ApprovalRecord } from '../state/repositories/approval-repository.ts';
import type { JobRecord } from '../state/repositories/job-types.ts';
import type { PoolRef } from '../state/repositories/switch-history-repository.ts';
import { REMOVE_NODE_KIND } from './remove-node-kind.ts';
import { SWITCH_KIND } from './switch-params.ts';

/** One switch the decision engine (or an interruption handler) wants carried out. */
export interface SwitchOrder {
  clientId: string;
  clusterId: string;
  instanceId: string;
  to: PoolRef;
  /** The decision's one-line why, kept in the switch history. */
  reason: string;
  savingsPerHour?: number | null;
  decisionId?: string | null;
  /** Set for an interruption notice: launch and drain at once, terminate by then. */
  noticeDeadlineMs?: number | null;
  /** Who the audit log names: a person, or the engine. */
  actor: string;
}

/** One empty node the decision engine wants gone, with no replacement. */
export interface RemovalOrder {
  clientId: string;
  clusterId: string;
  instanceId: string;
  reason: string;
  savingsPerHour?: number | null;
  decisionId?: string | null;
  actor: string;
}

/**
 * What executes decisions: each order becomes a switch job (launch → Ready → drain →
 * terminate), run, audited and resumable like every job.
 * @throws JobError `bad-params` naming the field.
 */
export class SwitchSubmitter {
  constructor(private readonly jobs: JobService) {}

  submit(o: SwitchOrder): Promise<{ job: JobRecord; approval: ApprovalRecord | null }> {
    return this.jobs.submit({
      clientId: o.clientId,
      kind: SWITCH_KIND,
      params: {
        clusterId: o.clusterId,
        instanceId: o.instanceId,
        to: o.to,
        reason: o.reason,
        savingsPerHour: o.savingsPerHour ?? null,
        decisionId: o.decisionId ?? null,
        noticeDeadlineMs: o.noticeDeadlineMs ?? null,
      },
      dryRun: false,
      note: o.reason,
      actor: o.actor,
      sourceIp: null,
    });
  }

  /** An empty node's removal: a remove-node job (cordon, check empty, terminate). */
  remove(o: RemovalOrder): Promise<{ job: JobRecord; approval: ApprovalRecord | null }> {
    return this.jobs.submit({
      clientId: o.clientId,
      kind: REMOVE_NODE_KIND,
      params: {
        clusterId: o.clusterId,
        instanceId: o.instanceId,
        reason: o.reason,
        savingsPerHour: o.savingsPerHour ?? null,
        decisionId: o.decisionId ?? null,
      },
      dryRun: false,
      note: o.reason,
      actor: o.actor,
      sourceIp: null,
    });
  }
}
