import type { JobService, Requester } from '../jobs/job-service.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import type { ApprovalRecord } from '../state/repositories/approval-repository.ts';
import type { JobRecord } from '../state/repositories/job-types.ts';
import { type PlatformSwitchRecord, PlatformSwitchRepository, SPOT_DISABLED } from '../state/repositories/platform-switch-repository.ts';
import { KILL_SWITCH_KIND } from './move-kinds.ts';

/**
 * The platform kill switch: one job that turns spot off (every client's spot nodes move to
 * on-demand) or back on. The flag itself is set by the job's first step, so a kill switch
 * waiting for approval has changed nothing yet.
 */
export class KillSwitchService {
  constructor(private readonly d: { store: MetadataStore; jobs: JobService; hubTenant: string }) {}

  state(): Promise<PlatformSwitchRecord | null> {
    return new PlatformSwitchRepository(this.d.store).get(SPOT_DISABLED);
  }

  /** `enabled` true disables spot. @throws JobError from the submission. */
  set(
    r: Requester & { enabled: boolean; maxParallel: number; note: string; dryRun: boolean },
  ): Promise<{ job: JobRecord; approval: ApprovalRecord | null }> {
    return this.d.jobs.submit({
      clientId: this.d.hubTenant,
      kind: KILL_SWITCH_KIND,
      params: { enabled: r.enabled, maxParallel: r.maxParallel },
      dryRun: r.dryRun,
      note: r.note,
      actor: r.actor,
      sourceIp: r.sourceIp,
    });
  }
}
