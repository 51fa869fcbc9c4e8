import type { SimInstance } from '../core/fleet.ts';
import { architectureOf, awsTime, regionOf, scheduledEventTime } from './imds-format.ts';

/** A directory maps names to children; an absent child (undefined) is a key that does not exist yet. */
export interface MetadataDir {
  [name: string]: MetadataNode | undefined;
}
export type MetadataNode = string | MetadataDir;

export interface MetadataView {
  /** The clock's now: notices scheduled for later are not visible yet. */
  nowMs: number;
  accountId: string;
  /** Fault injection: replaces the time in spot and rebalance notices (e.g. one in the past). */
  noticeTimeOverride?: string | undefined;
}

/** What one instance's metadata service shows at `view.nowMs`, rooted at `/latest/`. */
export function metadataTree(instance: SimInstance, view: MetadataView): MetadataDir {
  const { nowMs } = view;
  const notice = instance.interruption && nowMs >= instance.interruption.noticeAtMs ? instance.interruption : null;
  const actionTime = notice ? (view.noticeTimeOverride ?? awsTime(notice.actionAtMs)) : undefined;
  const rebalanceVisible = instance.rebalanceAtMs !== null && nowMs >= instance.rebalanceAtMs;
  const region = regionOf(instance.availabilityZone);

  const metaData: MetadataDir = {
    'ami-id': instance.imageId,
    events: {
      maintenance: { scheduled: JSON.stringify(instance.scheduledEvents.map(scheduledEventJson), null, 2) },
      recommendations: {
        rebalance: rebalanceVisible
          ? JSON.stringify({ noticeTime: view.noticeTimeOverride ?? awsTime(instance.rebalanceAtMs ?? nowMs) })
          : undefined,
      },
    },
    hostname: instance.privateDnsName,
    'instance-id': instance.id,
    'instance-life-cycle': instance.capacityType,
    'instance-type': instance.instanceType,
    'local-hostname': instance.privateDnsName,
    'local-ipv4': instance.privateIp,
    placement: { 'availability-zone': instance.availabilityZone, region },
    // The spot category exists only on spot instances; its keys 404 until a notice is visible.
    spot:
      instance.capacityType === 'spot'
        ? {
            'instance-action': notice && actionTime ? JSON.stringify({ action: notice.action, time: actionTime }) : undefined,
            'termination-time': actionTime,
          }
        : undefined,
  };
  const document = {
    accountId: view.accountId,
    architecture: architectureOf(instance.instanceType),
    availabilityZone: instance.availabilityZone,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: instance.imageId,
    instanceId: instance.id,
    instanceType: instance.instanceType,
    kernelId: null,
    pendingTime: awsTime(instance.launchTimeMs),
    privateIp: instance.privateIp,
    ramdiskId: null,
    region,
    version: '2017-09-30',
  };
  return {
    dynamic: { 'instance-identity': { document: JSON.stringify(document, null, 2) } },
    'meta-data': metaData,
  };
}

function scheduledEventJson(e: SimInstance['scheduledEvents'][number]) {
  return {
    Code: e.code,
    Description: e.description,
    EventId: e.eventId,
    NotAfter: scheduledEventTime(e.notAfterMs),
    NotBefore: scheduledEventTime(e.notBeforeMs),
    State: e.state,
  };
}

/**
 * Resolves a path below `/latest/` (e.g. `meta-data/placement/region`). A directory answers
 * with its listing: one name per line, sorted, subdirectories with a trailing `/`, as IMDS
 * does with or without the trailing slash on the request.
 */
export function resolveMetadata(root: MetadataDir, relativePath: string): string | undefined {
  let node: MetadataNode | undefined = root;
  for (const part of relativePath.split('/').filter((p) => p !== '')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = Object.hasOwn(node, part) ? node[part] : undefined;
  }
  if (node === undefined || typeof node === 'string') return node;
  const dir: MetadataDir = node;
  return Object.keys(dir)
    .filter((name) => dir[name] !== undefined)
    .sort()
    .map((name) => (typeof dir[name] === 'string' ? name : `${name}/`))
    .join('\n');
}
