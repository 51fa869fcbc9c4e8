import type { Instance } from '../cloud/cloud-types.ts';
import { TAG_KEYS } from '../cloud/cloud-types.ts';
import { INSTANCE_ID } from '../governance/governance-job-kind.ts';
import { badParams } from '../jobs/job-error.ts';
import type { StepContext, StepOutcome } from '../jobs/job-kind.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import { PlatformSwitchRepository, SPOT_DISABLED } from '../state/repositories/platform-switch-repository.ts';
import { TenantRepository } from '../state/repositories/tenant-repository.ts';
import type { FleetMoveSpec, MoveTarget } from '../switches/fleet-move-kind.ts';
import { type ChooseSpotPool, SWITCH_TAGS, type SwitchCloud } from '../switches/switch-ports.ts';
import { KILL_SWITCH_FORCE, type OverridePolicy } from './override-policy.ts';

export const FORCE_ON_DEMAND_KIND = 'force-on-demand';
export const REVERT_TO_SPOT_KIND = 'revert-to-spot';
export const KILL_SWITCH_KIND = 'kill-switch';
export const MAX_PARALLEL_LIMIT = 50;

export interface MoveDeps {
  store: MetadataStore;
  cloud: SwitchCloud;
  policy: OverridePolicy;
  chooseSpotPool: ChooseSpotPool;
  /** The tenant of instances without a tenant tag (nodes agents registered under the hub's default). */
  defaultTenant: string;
}

export interface ForceParams {
  clientId: string;
  overrideId: string;
  level: 'instance' | 'cluster' | 'client';
  clusterId: string | null;
  instanceId: string | null;
  maxParallel: number;
}

export interface RevertParams {
  /** Override id, or `kill-switch`: the replacements tagged forced-by it go back to spot. */
  forcedBy: string;
  why: string;
  maxParallel: number;
}

export interface KillSwitchParams {
  enabled: boolean;
  maxParallel: number;
}

function obj(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badParams('params', 'must be an object');
  return raw as Record<string, unknown>;
}

function maxParallel(o: Record<string, unknown>): number {
  const v = o.maxParallel;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_PARALLEL_LIMIT)
    throw badParams('maxParallel', `must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}`);
  return v;
}

function text(o: Record<string, unknown>, field: string, max = 253): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '' || v.length > max) throw badParams(field, `must be 1 to ${max} characters`);
  return v;
}

const tenantOf = (d: MoveDeps, i: Instance) => i.tags[TAG_KEYS.tenant] ?? d.defaultTenant;
const clusterOf = (i: Instance) => i.tags[TAG_KEYS.cluster] ?? '';

function toOnDemand(i: Instance, clientId: string, reason: string, forcedBy: string): MoveTarget {
  if (i.capacityType === 'on-demand') return { skip: 'already on-demand' };
  return {
    to: { instanceType: i.instanceType, zone: i.zone, capacityType: 'on-demand' },
    clientId,
    clusterId: clusterOf(i),
    reason,
    forcedBy,
  };
}

/** Back to spot, unless something still forces the instance on-demand or no spot pool fits. */
async function toSpot(d: MoveDeps, i: Instance, reason: string): Promise<MoveTarget> {
  if (i.capacityType === 'spot') return { skip: 'already on spot' };
  const clientId = tenantOf(d, i);
  const still = await d.policy.why({ clientId, clusterId: clusterOf(i), instanceId: i.id, tags: i.tags });
  if (still !== null) return { skip: `still forced on-demand by ${still}` };
  const pool = await d.chooseSpotPool(i);
  if (!pool) return { skip: 'no spot pool fits it now' };
  return { to: pool, clientId, clusterId: clusterOf(i), reason, forcedBy: null };
}

async function live(d: MoveDeps, tags?: Record<string, string>): Promise<Instance[]> {
  return d.cloud.describeInstances({ states: ['pending', 'running'], ...(tags ? { tags } : {}) });
}

/** Force on-demand: the spot nodes of an instance, a cluster or a whole client move to on-demand in the same type and zone. */
export function forceOnDemandSpec(d: MoveDeps): FleetMoveSpec<ForceParams> {
  return {
    name: FORCE_ON_DEMAND_KIND,
    parseParams: (raw) => {
      const o = obj(raw);
      const level = o.level;
      if (level !== 'instance' && level !== 'cluster' && level !== 'client')
        throw badParams('level', 'must be instance, cluster or client');
      const instanceId = level === 'instance' ? text(o, 'instanceId') : null;
      if (instanceId !== null && !INSTANCE_ID.test(instanceId)) throw badParams('instanceId', 'must be an instance id (i-…)');
      return {
        clientId: text(o, 'clientId'),
        overrideId: text(o, 'overrideId', 36),
        level,
        clusterId: level === 'client' ? null : text(o, 'clusterId'),
        instanceId,
        maxParallel: maxParallel(o),
      };
    },
    approvalAction: (p) => (p.level === 'instance' ? null : 'cluster.force-on-demand'),
    summary: (p) =>
      `force on-demand: the spot nodes of ${p.level} ${p.level === 'instance' ? p.instanceId : p.level === 'cluster' ? p.clusterId : p.clientId}, at most ${p.maxParallel} at once`,
    select: async (p) => {
      if (p.level === 'instance') return d.cloud.describeInstances({ ids: [p.instanceId as string] });
      const clusters =
        p.level === 'cluster'
          ? new Set([p.clusterId])
          : new Set((await new TenantRepository(d.store).listClusters(p.clientId)).map((c) => c.id));
      return (await live(d)).filter((i) => clusters.has(clusterOf(i)) && tenantOf(d, i) === p.clientId && i.capacityType === 'spot');
    },
    target: async (p, i) => {
      // Lifted or expired while the job waited its turn: nothing forces the move any more.
      const still = await d.policy.why({ clientId: p.clientId, clusterId: clusterOf(i), instanceId: i.id, tags: i.tags });
      if (still === null) return { skip: `override ${p.overrideId} is no longer active` };
      return toOnDemand(i, p.clientId, `force on-demand (${p.level} override ${p.overrideId})`, p.overrideId);
    },
    maxParallel: (p) => p.maxParallel,
  };
}

/** Revert to spot: the replacements a force (an override, or the kill switch) put on on-demand go back to the best spot pool. */
export function revertToSpotSpec(d: MoveDeps): FleetMoveSpec<RevertParams> {
  return {
    name: REVERT_TO_SPOT_KIND,
    parseParams: (raw) => {
      const o = obj(raw);
      return { forcedBy: text(o, 'forcedBy', 36), why: text(o, 'why', 500), maxParallel: maxParallel(o) };
    },
    approvalAction: () => null,
    summary: (p) => `revert to spot the nodes forced on-demand by ${p.forcedBy} (${p.why}), at most ${p.maxParallel} at once`,
    select: (p) => live(d, { [SWITCH_TAGS.forcedBy]: p.forcedBy }),
    target: (p, i) => toSpot(d, i, `revert to spot: ${p.why}`),
    maxParallel: (p) => p.maxParallel,
  };
}

/**
 * The platform kill switch as a job: engaged, it sets the flag (after any approval) and moves
 * every spot node of every client to on-demand; released, it clears the flag and moves the
 * nodes it forced back to spot where nothing else forces them.
 */
export function killSwitchSpec(d: MoveDeps): FleetMoveSpec<KillSwitchParams> {
  return {
    name: KILL_SWITCH_KIND,
    parseParams: (raw) => {
      const o = obj(raw);
      if (typeof o.enabled !== 'boolean') throw badParams('enabled', 'must be true or false');
      return { enabled: o.enabled, maxParallel: maxParallel(o) };
    },
    approvalAction: (p) => (p.enabled ? 'kill-switch' : null),
    summary: (p) =>
      p.enabled
        ? `kill switch: disable spot platform-wide, every client's spot nodes to on-demand, at most ${p.maxParallel} at once`
        : `kill switch off: spot allowed again, nodes it forced back to spot, at most ${p.maxParallel} at once`,
    select: async (p) =>
      p.enabled
        ? (await live(d)).filter((i) => i.capacityType === 'spot' && clusterOf(i) !== '')
        : live(d, { [SWITCH_TAGS.forcedBy]: KILL_SWITCH_FORCE }),
    target: async (p, i) =>
      p.enabled
        ? toOnDemand(i, tenantOf(d, i), 'kill switch: spot disabled platform-wide', KILL_SWITCH_FORCE)
        : toSpot(d, i, 'kill switch released'),
    maxParallel: (p) => p.maxParallel,
    first: {
      name: 'set-flag',
      run: async (p: KillSwitchParams, ctx: StepContext): Promise<StepOutcome> => {
        if (ctx.dryRun) return { status: 'skipped', message: `dry run: would turn spot ${p.enabled ? 'off' : 'on'}` };
        await new PlatformSwitchRepository(d.store).set(
          { name: SPOT_DISABLED, enabled: p.enabled, changedBy: ctx.job.requestedBy, jobId: ctx.job.id, note: ctx.job.note },
          ctx.now(),
        );
        await ctx.audit({ action: p.enabled ? 'kill-switch.engaged' : 'kill-switch.released', target: 'platform:spot', result: 'success' });
        return { status: 'succeeded', message: p.enabled ? 'spot disabled platform-wide' : 'spot allowed again' };
      },
    },
  };
}
