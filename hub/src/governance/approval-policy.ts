import { ConfigError } from '@ballast/common';

/**
 * Actions the policy can ask a second person for. A job kind names its action (see
 * JobKind.approvalAction); the kill switch and cluster-wide force on-demand are listed so
 * config can name them before their jobs exist.
 */
export const APPROVAL_ACTIONS = ['storage.delete', 'governance.terminate', 'kill-switch', 'cluster.force-on-demand'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export interface ApprovalPolicy {
  /** Actions that wait in `waiting-approval` until someone other than the requester approves. */
  requireSecondPerson: readonly string[];
}

/**
 * Nothing needs a second person by default: until sign-in exists every request comes from
 * the same actor unless callers set X-Ballast-Actor, and a one-operator hub would deadlock.
 */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { requireSecondPerson: [] };

export function needsApproval(policy: ApprovalPolicy, action: string | null): boolean {
  return action !== null && policy.requireSecondPerson.includes(action);
}

/**
 * The policy from a comma-separated config value (e.g. "storage.delete,governance.terminate").
 * @throws ConfigError naming `field` for an action this hub does not know.
 */
export function parseApprovalPolicy(value: string, field = 'approvalRequiredFor'): ApprovalPolicy {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(APPROVAL_ACTIONS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new ConfigError(field, `names unknown action(s) ${unknown.join(', ')}; known: ${APPROVAL_ACTIONS.join(', ')}`);
  return { requireSecondPerson: [...new Set(names)] };
}
