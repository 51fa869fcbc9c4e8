import { jobView } from '../jobs/job-views.ts';
import type { DecisionRecord } from '../state/repositories/decision-types.ts';
import type { JobRecord } from '../state/repositories/job-types.ts';
import type { EventRecord } from '../store/metrics-store.ts';
import type { StreamEventInput, StreamKind } from './stream-event.ts';

/** Agent event kinds (as the ingest stores them) that the live stream carries, by stream kind. */
const AGENT_EVENT_KINDS: Readonly<Record<string, StreamKind>> = {
  spot_interruption: 'interruption',
  rebalance_recommendation: 'rebalance',
  switch_progress: 'switch-progress',
  drain_progress: 'switch-progress',
};

/** An agent's event (interruption notice, rebalance, drain or switch progress) as a stream event; null for kinds the stream does not carry. */
export function agentEventToStream(e: EventRecord): StreamEventInput | null {
  const kind = AGENT_EVENT_KINDS[e.kind];
  if (!kind) return null;
  return {
    kind,
    tenant: e.tenant,
    cluster: e.cluster,
    node: e.node,
    at: e.timeMs,
    data: {
      eventId: e.id,
      agentKind: e.kind,
      message: e.message,
      deadline: e.deadlineMs > 0 ? new Date(e.deadlineMs).toISOString() : null,
      attributes: e.attributes,
    },
  };
}

/** A job after a change, as the jobs API shows it. `at` is when the change was made. */
export function jobToStream(job: JobRecord): StreamEventInput {
  return { kind: 'job-progress', tenant: job.clientId, at: job.updatedAt, data: jobView(job) };
}

/** A decision as it moves through the funnel or ends. */
export function decisionToStream(d: DecisionRecord): StreamEventInput {
  return {
    kind: 'decision',
    tenant: d.clientId,
    cluster: d.clusterId,
    node: d.nodeName,
    at: d.updatedAt,
    data: {
      id: d.id,
      kind: d.kind,
      stage: d.stage,
      outcome: d.outcome,
      outcomeReason: d.outcomeReason,
      instanceId: d.instanceId,
      fromPool: d.fromPool,
      toPool: d.toPool,
      expectedSavingsPerHour: d.expectedSavingsPerHour,
    },
  };
}

/** One step of a switch (helper B's executor), for callers that report switch progress themselves. */
export interface SwitchProgress {
  tenant: string;
  cluster: string;
  node: string;
  instanceId: string;
  step: string;
  status: string;
  at: number;
  detail?: Record<string, unknown>;
}

export function switchProgressToStream(p: SwitchProgress): StreamEventInput {
  return {
    kind: 'switch-progress',
    tenant: p.tenant,
    cluster: p.cluster,
    node: p.node,
    at: p.at,
    data: { instanceId: p.instanceId, step: p.step, status: p.status, ...(p.detail ?? {}) },
  };
}
