import type { SwitchHistoryRecord } from '../state/repositories/switch-history-repository.ts';
import type { SwitchHistorySource, SwitchRecord } from './fleet-sources.ts';

/**
 * Executed switches as the switch jobs record them (switch_history): every replacement the
 * hub made — decided by the engine, forced on-demand, reverted to spot or ordered by the
 * kill switch — once it is done.
 */
export class JobSwitchHistory implements SwitchHistorySource {
  constructor(
    private readonly history: { switchedSince(clientId: string | null, sinceMs: number, limit?: number): Promise<SwitchHistoryRecord[]> },
    private readonly maxRecords = 5_000,
  ) {}

  async listSwitches(tenant: string | null, sinceMs: number): Promise<SwitchRecord[]> {
    const rows = await this.history.switchedSince(tenant, sinceMs, this.maxRecords);
    return rows.map((r) => ({
      tenant: r.clientId,
      cluster: r.clusterId,
      node: null,
      instanceId: r.instanceId,
      reason: r.reason,
      from: r.from,
      to: r.to,
      atMs: r.finishedAt ?? r.startedAt,
      expectedSavingsPerHour: r.savingsPerHour,
    }));
  }
}
