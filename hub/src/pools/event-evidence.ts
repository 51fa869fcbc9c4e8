import type { AgentRecord, EventRecord } from '../store/metrics-store.ts';
import type { RecordedPoolEvidence } from './pool-evidence.ts';

/**
 * Feeds the pool evidence from agents' events: a spot interruption notice or a rebalance
 * recommendation counts against the spot pool (type × zone) the agent's Hello named (both
 * events exist only for spot instances, whatever lifecycle the agent could read).
 * Events from agents this hub has not seen connect are skipped: their pool is unknown.
 */
export function recordEventEvidence(
  event: EventRecord,
  agentOf: (tenant: string, cluster: string, node: string) => AgentRecord | undefined,
  evidence: RecordedPoolEvidence,
): boolean {
  const kind = event.kind === 'spot_interruption' ? 'interruption' : event.kind === 'rebalance_recommendation' ? 'rebalance' : null;
  if (!kind) return false;
  const agent = agentOf(event.tenant, event.cluster, event.node);
  if (!agent?.instanceType || !agent.availabilityZone) return false;
  evidence.record(`${agent.instanceType}|${agent.availabilityZone}|spot`, kind, event.timeMs);
  return true;
}
