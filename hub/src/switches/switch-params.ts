import { INSTANCE_ID } from '../governance/governance-job-kind.ts';
import { badParams } from '../jobs/job-error.ts';
import type { PoolRef } from '../state/repositories/switch-history-repository.ts';

export const SWITCH_KIND = 'switch';
export const CLUSTER_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One switch: replace `instanceId` of `clusterId` (in the job's client) by a new instance in pool `to`. */
export interface SwitchParams {
  clusterId: string;
  instanceId: string;
  to: PoolRef;
  /** Why, for the history and the audit log: a decision's summary, "force on-demand", "kill switch". */
  reason: string;
  savingsPerHour: number | null;
  /** The decision this carries out, tagged on the replacement; absent: the job id is used. */
  decisionId: string | null;
  /** An interruption notice's deadline (epoch ms): launch and drain at once, terminate by then. */
  noticeDeadlineMs: number | null;
  /** The parent job (force on-demand, kill switch, revert) that started this one. */
  parentJobId: string | null;
  /** What forced this move (an override id, or `kill-switch`), tagged on the replacement so the force follows it. */
  forcedBy: string | null;
}

/** Checks a switch job's parameters (as stored, or as a parent built them). */
export function parseSwitchParams(raw: unknown): SwitchParams {
  const o = object(raw, 'params');
  const str = (field: string, pattern: RegExp, hint: string): string => {
    const v = o[field];
    if (typeof v !== 'string' || !pattern.test(v)) throw badParams(field, `must be ${hint}`);
    return v;
  };
  const opt = <T>(field: string, check: (v: unknown) => v is T, hint: string): T | null => {
    const v = o[field];
    if (v === undefined || v === null) return null;
    if (!check(v)) throw badParams(field, `must be ${hint}`);
    return v;
  };
  const to = object(o.to, 'to');
  const capacityType = to.capacityType;
  if (capacityType !== 'spot' && capacityType !== 'on-demand') throw badParams('to.capacityType', 'must be spot or on-demand');
  if (typeof to.instanceType !== 'string' || !INSTANCE_TYPE.test(to.instanceType))
    throw badParams('to.instanceType', 'must be an instance type like m5.large');
  if (typeof to.zone !== 'string' || !ZONE.test(to.zone)) throw badParams('to.zone', 'must be an availability zone like us-east-1a');
  const reason = o.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) throw badParams('reason', 'must be 1 to 500 characters');
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
  const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
  const deadline = opt('noticeDeadlineMs', isNum, 'epoch milliseconds');
  return {
    clusterId: str('clusterId', CLUSTER_ID, 'a cluster id'),
    instanceId: str('instanceId', INSTANCE_ID, 'an instance id (i-…)'),
    to: { instanceType: to.instanceType, zone: to.zone, capacityType },
    reason,
    savingsPerHour: opt('savingsPerHour', isNum, 'a number (USD per hour)'),
    decisionId: opt('decisionId', isStr, 'a decision id of at most 128 characters'),
    noticeDeadlineMs: deadline,
    parentJobId: opt('parentJobId', isUuid, 'a job id'),
    forcedBy: opt('forcedBy', isStr, 'an override id or kill-switch'),
  };
}

function object(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badParams(field, 'must be an object');
  return raw as Record<string, unknown>;
}
