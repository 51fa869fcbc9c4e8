import { isCloudError } from '../cloud/cloud-error.ts';
import { TAG_KEYS } from '../cloud/cloud-types.ts';
import { INSTANCE_ID } from '../governance/governance-job-kind.ts';
import { badParams } from '../jobs/job-error.ts';
import type { JobKind, StepContext, StepOutcome } from '../jobs/job-kind.ts';
import { mustGo } from './hub-drain.ts';
import { nodeOfInstance } from './node-lookup.ts';
import { SwitchError } from './switch-error.ts';
import { CLUSTER_ID } from './switch-params.ts';
import type { SwitchDeps } from './switch-ports.ts';
import { GONE } from './switch-steps.ts';

export const REMOVE_NODE_KIND = 'remove-node';

/** Remove an empty node: `instanceId` of `clusterId` (in the job's client), with no replacement. */
export interface RemoveNodeParams {
  clusterId: string;
  instanceId: string;
  /** Why, for the audit log: the decision's summary. */
  reason: string;
  savingsPerHour: number | null;
  decisionId: string | null;
}

export function parseRemoveNodeParams(raw: unknown): RemoveNodeParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badParams('params', 'must be an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.clusterId !== 'string' || !CLUSTER_ID.test(o.clusterId)) throw badParams('clusterId', 'must be a cluster id');
  if (typeof o.instanceId !== 'string' || !INSTANCE_ID.test(o.instanceId)) throw badParams('instanceId', 'must be an instance id (i-…)');
  if (typeof o.reason !== 'string' || o.reason.trim() === '' || o.reason.length > 500)
    throw badParams('reason', 'must be 1 to 500 characters');
  const savings = o.savingsPerHour ?? null;
  if (savings !== null && (typeof savings !== 'number' || !Number.isFinite(savings))) throw badParams('savingsPerHour', 'must be a number');
  const decisionId = o.decisionId ?? null;
  if (decisionId !== null && (typeof decisionId !== 'string' || decisionId.length === 0 || decisionId.length > 128))
    throw badParams('decisionId', 'must be a decision id of at most 128 characters');
  return { clusterId: o.clusterId, instanceId: o.instanceId, reason: o.reason, savingsPerHour: savings as number | null, decisionId };
}

/**
 * Removing an empty node (the decision engine's consolidation of a node with no pods):
 * cordon it and check it is still empty — pods may have landed since the decision — then
 * terminate it. A node that holds pods again is uncordoned and kept (`not-empty`): with no
 * replacement coming, evicting them would rest on a placement nobody re-checked. Needs the
 * cluster's API (the decision loop has it); each step re-reads the world, so a re-run after
 * a restart is safe.
 */
export function removeNodeKind(d: Pick<SwitchDeps, 'cloud' | 'clusters'>): JobKind<RemoveNodeParams> {
  return {
    name: REMOVE_NODE_KIND,
    parseParams: parseRemoveNodeParams,
    plan: (p) => ['cordon-empty', 'terminate'].map((name) => ({ name, target: p.instanceId })),
    approvalAction: () => null,
    summary: (p) => `remove empty node ${p.instanceId} (cluster ${p.clusterId}): ${p.reason}`,
    runStep: (p, ctx) => (ctx.step.name === 'cordon-empty' ? cordonEmpty(d, p, ctx) : terminate(d, p, ctx)),
    // Throttling and the like pass; a node that holds pods again, or no cluster access, does not.
    isRetryable: (err) => !(err instanceof SwitchError) && isCloudError(err) && err.retryable,
  };
}

async function liveInstance(d: Pick<SwitchDeps, 'cloud'>, id: string) {
  const i = (await d.cloud.describeInstances({ ids: [id] }))[0];
  return i && !GONE.has(i.state) ? i : null;
}

/** The pods that would have to go, on the node of the instance; throws when the hub cannot see the cluster. */
async function nodeAndPods(d: Pick<SwitchDeps, 'clusters'>, p: RemoveNodeParams, ctx: StepContext) {
  const api = d.clusters(ctx.job.clientId, p.clusterId);
  if (!api) throw new SwitchError('cannot-drain', `the hub has no access to cluster ${p.clusterId}: cannot check ${p.instanceId} is empty`);
  const node = await nodeOfInstance(api, p.instanceId);
  const pods = node ? (await api.listPodsOnNode(node.name)).filter(mustGo) : [];
  return { api, node, pods };
}

async function cordonEmpty(d: Pick<SwitchDeps, 'cloud' | 'clusters'>, p: RemoveNodeParams, ctx: StepContext): Promise<StepOutcome> {
  const instance = await liveInstance(d, p.instanceId);
  if (!instance) return { status: 'skipped', message: `${p.instanceId} is already gone` };
  const owner = instance.tags[TAG_KEYS.tenant];
  if (owner !== undefined && owner !== ctx.job.clientId) {
    throw new SwitchError('cannot-drain', `${p.instanceId} belongs to another client`);
  }
  const { api, node, pods } = await nodeAndPods(d, p, ctx);
  if (ctx.dryRun) {
    const state = pods.length === 0 ? 'is empty' : `holds ${pods.length} pod(s)`;
    await ctx.log('info', `dry run: ${node?.name ?? p.instanceId} ${state}; would cordon and terminate it`);
    return { status: 'skipped', message: 'dry run' };
  }
  if (node) {
    await ctx.recordEffect({ node: node.name, cordoned: true });
    await api.cordon(node.name);
    // Read again after the cordon: a pod scheduled in between is on the node now.
    const after = (await api.listPodsOnNode(node.name)).filter(mustGo);
    if (after.length > 0) {
      await api.uncordon(node.name);
      await ctx.recordEffect({ cordoned: false });
      throw new SwitchError(
        'not-empty',
        `${node.name} holds ${after.length} pod(s) again (${after[0]?.namespace}/${after[0]?.name}…): kept`,
      );
    }
  }
  return { status: 'succeeded', message: `${node?.name ?? p.instanceId} cordoned and empty` };
}

async function terminate(d: Pick<SwitchDeps, 'cloud' | 'clusters'>, p: RemoveNodeParams, ctx: StepContext): Promise<StepOutcome> {
  if (ctx.dryRun) return { status: 'skipped', message: 'dry run' };
  const instance = await liveInstance(d, p.instanceId);
  if (!instance) return { status: 'succeeded', message: `${p.instanceId} is already gone` };
  const { api, node, pods } = await nodeAndPods(d, p, ctx);
  // Cordoned, only a pod bound by hand (or a controller ignoring the taint) lands here; keep it.
  if (node && pods.length > 0) {
    await api.uncordon(node.name);
    throw new SwitchError('not-empty', `${node.name} holds ${pods.length} pod(s) again: kept`);
  }
  await ctx.recordEffect({ intent: 'terminate' });
  const [r] = await d.cloud.terminate([p.instanceId]);
  if (r?.previousState && !GONE.has(r.previousState)) {
    await ctx.audit({
      action: 'node.remove',
      target: `instance:${p.instanceId}`,
      result: 'success',
      details: { node: node?.name ?? null, reason: p.reason, savingsPerHour: p.savingsPerHour, decisionId: p.decisionId },
    });
  }
  return { status: 'succeeded', message: `${p.instanceId} terminated (empty node removed)` };
}
