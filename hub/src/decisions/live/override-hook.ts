import type { OverridePolicy } from '../../overrides/override-policy.ts';
import type { DecisionLoopDeps } from './decision-loop.ts';

/** An instance's tags by id, for many ids in one cloud call. */
export type TagsOf = (instanceIds: readonly string[]) => Promise<ReadonlyMap<string, Record<string, string>>>;

/**
 * The decision loop's overrides hook for one cluster: asks the override policy about every
 * node. On-demand nodes carry their tags, so a force follows a node onto its on-demand
 * replacement (the `ballast.io/forced-by` tag); without tagsOf, overrides match by instance,
 * cluster and client only.
 */
export function overrideHook(
  policy: Pick<OverridePolicy, 'overrideFor'>,
  clientId: string,
  clusterId: string,
  tagsOf: TagsOf | undefined,
): DecisionLoopDeps['overridesFor'] {
  return async (nodes) => {
    // On-demand nodes are asked too: a forced node's replacement must not be moved back to spot.
    // Their tags come in one cloud call per run, not one per node.
    const onDemand = nodes.filter((n) => n.capacityType === 'on-demand' && n.instanceId).map((n) => n.instanceId as string);
    const tags = tagsOf && onDemand.length > 0 ? await tagsOf(onDemand) : new Map<string, Record<string, string>>();
    return Promise.all(
      nodes.map(async (n) => {
        if (!n.instanceId || !n.instanceType || !n.zone) return null;
        const t = tags.get(n.instanceId);
        const forced = await policy.overrideFor({ clientId, clusterId, instanceId: n.instanceId, ...(t ? { tags: t } : {}) });
        return forced ? { instanceTypes: [n.instanceType], zones: [n.zone], reason: 'forced on-demand' } : null;
      }),
    );
  };
}
