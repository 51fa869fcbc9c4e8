import type { ClusterApi, ClusterNode } from '@ballast/kube';

/** The cluster's node for an EC2 instance, by its provider id (`aws:///<zone>/<instance-id>`), or null when none has registered. */
export async function nodeOfInstance(api: ClusterApi, instanceId: string): Promise<ClusterNode | null> {
  const nodes = await api.listNodes();
  return nodes.find((n) => n.providerId?.endsWith(`/${instanceId}`)) ?? null;
}
