import type { DecisionKind, DecisionOutcome, DecisionRecord, DecisionStage, Pool } from './decision-types.ts';
import { toMs, toMsOrNull, toNumberOrNull } from './sql-values.ts';

export interface DecisionRow {
  id: string;
  client_id: string;
  cluster_id: string;
  kind: DecisionKind;
  stage: DecisionStage;
  outcome: DecisionOutcome;
  outcome_reason: string | null;
  node_name: string | null;
  instance_id: string | null;
  from_instance_type: string | null;
  from_availability_zone: string | null;
  from_capacity_type: Pool['capacityType'] | null;
  to_instance_type: string | null;
  to_availability_zone: string | null;
  to_capacity_type: Pool['capacityType'] | null;
  inputs: Record<string, unknown>;
  score_breakdown: unknown;
  expected_savings_per_hour: string | null;
  realized_savings: string | null;
  model_id: string | null;
  from_shadow: boolean;
  dry_run: boolean;
  drop_reason: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export function toDecision(r: DecisionRow): DecisionRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    clusterId: r.cluster_id,
    kind: r.kind,
    stage: r.stage,
    outcome: r.outcome,
    outcomeReason: r.outcome_reason,
    nodeName: r.node_name,
    instanceId: r.instance_id,
    fromPool: pool(r.from_instance_type, r.from_availability_zone, r.from_capacity_type),
    toPool: pool(r.to_instance_type, r.to_availability_zone, r.to_capacity_type),
    inputs: r.inputs,
    scoreBreakdown: r.score_breakdown,
    expectedSavingsPerHour: toNumberOrNull(r.expected_savings_per_hour),
    realizedSavings: toNumberOrNull(r.realized_savings),
    modelId: r.model_id,
    fromShadow: r.from_shadow,
    dryRun: r.dry_run,
    dropReason: r.drop_reason,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
    finishedAt: toMsOrNull(r.finished_at),
  };
}

/** The schema keeps a side's three columns all set or all null. */
function pool(instanceType: string | null, availabilityZone: string | null, capacityType: Pool['capacityType'] | null): Pool | null {
  return instanceType !== null && availabilityZone !== null && capacityType !== null
    ? { instanceType, availabilityZone, capacityType }
    : null;
}
