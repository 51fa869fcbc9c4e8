import { badParams } from '../jobs/job-error.ts';
import type { JobKind } from '../jobs/job-kind.ts';
import { tagIgnoredStep, terminateStep } from './governance-steps.ts';
import type { GovernanceCloud, HourlyPrice, KnownFleetSource } from './unregistered-instances.ts';

export const GOVERNANCE_KIND = 'governance-apply';
export const GOVERNANCE_ACTIONS = ['terminate', 'tag-as-ignored'] as const;
export type GovernanceAction = (typeof GOVERNANCE_ACTIONS)[number];
export const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
export const MAX_GOVERNANCE_ITEMS = 500;

export interface GovernanceParams {
  instanceIds: string[];
  action: GovernanceAction;
}

export function parseGovernanceParams(raw: unknown): GovernanceParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badParams('params', 'must be an object');
  const o = raw as Record<string, unknown>;
  if (!GOVERNANCE_ACTIONS.includes(o.action as GovernanceAction))
    throw badParams('action', `must be one of ${GOVERNANCE_ACTIONS.join(', ')}`);
  const ids = o.instanceIds;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !INSTANCE_ID.test(id))) {
    throw badParams('instanceIds', 'must be a list of i-… ids');
  }
  if (ids.length === 0 || ids.length > MAX_GOVERNANCE_ITEMS)
    throw badParams('instanceIds', `must name 1 to ${MAX_GOVERNANCE_ITEMS} instances`);
  return { instanceIds: [...new Set(ids as string[])], action: o.action as GovernanceAction };
}

/**
 * Acts on instances no Ballast cluster registered: terminates them, or tags them as
 * looked-at so they stop being flagged. One step per instance; each re-checks, right
 * before acting, that the instance is still not a node of a known cluster.
 */
export function governanceKind(d: {
  cloud: GovernanceCloud;
  knownFleet: KnownFleetSource;
  hourlyPrice: HourlyPrice;
}): JobKind<GovernanceParams> {
  return {
    name: GOVERNANCE_KIND,
    parseParams: parseGovernanceParams,
    plan: (p) =>
      p.instanceIds.map((id) => ({ name: p.action === 'terminate' ? 'terminate-instance' : 'tag-instance-ignored', target: id })),
    approvalAction: (p) => (p.action === 'terminate' ? 'governance.terminate' : null),
    summary: (p) => `${p.action === 'terminate' ? 'terminate' : 'tag as ignored'} ${p.instanceIds.length} unregistered instance(s)`,
    runStep: (_p, ctx) => (ctx.step.name === 'terminate-instance' ? terminateStep(d, ctx) : tagIgnoredStep(d, ctx)),
  };
}
