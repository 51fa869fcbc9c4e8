import type { DecisionFilter, DecisionRecord } from '../state/repositories/decision-types.ts';
import type { Page } from '../state/repositories/page.ts';
import type { SwitchHistorySource, SwitchRecord } from './fleet-sources.ts';

/**
 * Executed switches as the decisions table records them (outcome executed): until the switch
 * executor keeps its own history, every switch the hub ordered went through a decision.
 * Reads at most `maxRecords` (newest first).
 */
export class DecisionSwitchHistory implements SwitchHistorySource {
  constructor(
    private readonly decisions: { list(filter: DecisionFilter): Promise<Page<DecisionRecord>> },
    private readonly maxRecords = 5_000,
  ) {}

  async listSwitches(tenant: string | null, sinceMs: number): Promise<SwitchRecord[]> {
    const out: SwitchRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.decisions.list({ clientId: tenant, outcome: 'executed', from: sinceMs, limit: 500, cursor });
      // A dry-run decision was recorded as executed but changed nothing.
      for (const d of page.items) if (!d.dryRun) out.push(toSwitch(d));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < this.maxRecords);
    return out.slice(0, this.maxRecords);
  }
}

function toSwitch(d: DecisionRecord): SwitchRecord {
  const pool = (p: DecisionRecord['fromPool']) =>
    p ? { instanceType: p.instanceType, zone: p.availabilityZone, capacityType: p.capacityType } : null;
  return {
    tenant: d.clientId,
    cluster: d.clusterId,
    node: d.nodeName,
    instanceId: d.instanceId,
    reason: d.kind,
    from: pool(d.fromPool),
    to: pool(d.toPool),
    atMs: d.finishedAt ?? d.updatedAt,
    expectedSavingsPerHour: d.expectedSavingsPerHour,
  };
}
