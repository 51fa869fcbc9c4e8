import type { SimInstance } from '../core/fleet.ts';
import type { Ec2Context } from './context.ts';
import { ACCOUNT_ID, VPC_ID } from './state.ts';
import type { XmlValue } from './xml.ts';

/** EC2's numeric state codes (the low byte of InstanceState.Code). */
export const STATE_CODES: Readonly<Record<SimInstance['state'], number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function stateXml(state: SimInstance['state']): Record<string, XmlValue> {
  return { code: STATE_CODES[state], name: state };
}

export function tagSetXml(tags: Readonly<Record<string, string>>): XmlValue {
  const entries = Object.entries(tags);
  return entries.length ? entries.map(([key, value]) => ({ key, value })) : undefined;
}

function gmt(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** Fleet keeps "Code: message"; EC2 shows the code and message apart. */
function stateReasonXml(reason: string): XmlValue {
  if (!reason) return undefined;
  const colon = reason.indexOf(':');
  return { code: colon > 0 ? reason.slice(0, colon) : reason, message: reason };
}

function transitionReason(i: SimInstance, nowMs: number): string {
  if (!i.stateReason) return '';
  const who = i.stateReason.startsWith('Client.') ? 'User initiated' : 'Service initiated';
  return `${who} (${gmt(i.terminatedAtMs ?? nowMs)})`;
}

export function instanceXml(ctx: Ec2Context, i: SimInstance): Record<string, XmlValue> {
  const meta = ctx.state.instanceMeta.get(i.id);
  const type = ctx.market.catalog.get(i.instanceType);
  const volumes = ctx.state.volumesOf(i.id);
  const image = ctx.state.images.get(i.imageId);
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: stateXml(i.state),
    privateDnsName: i.state === 'terminated' ? '' : i.privateDnsName,
    dnsName: '',
    reason: transitionReason(i, ctx.clock.now()),
    amiLaunchIndex: meta?.amiLaunchIndex ?? 0,
    productCodes: undefined,
    instanceType: i.instanceType,
    launchTime: new Date(i.launchTimeMs),
    placement: { availabilityZone: i.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: i.state === 'terminated' ? undefined : i.subnetId,
    vpcId: i.state === 'terminated' ? undefined : VPC_ID,
    privateIpAddress: i.state === 'terminated' ? undefined : i.privateIp,
    sourceDestCheck: true,
    groupSet: [{ groupId: 'sg-0b5a11a5700000001', groupName: 'ballast-nodes' }],
    stateReason: stateReasonXml(i.stateReason),
    architecture: type?.architecture ?? image?.architecture ?? 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: image?.rootDeviceName ?? '/dev/xvda',
    blockDeviceMapping: volumes.length
      ? volumes.map((v) => ({
          deviceName: v.attachment?.device,
          ebs: {
            volumeId: v.id,
            status: 'attached',
            attachTime: new Date(v.attachment?.attachTimeMs ?? v.createTimeMs),
            deleteOnTermination: v.attachment?.deleteOnTermination,
          },
        }))
      : undefined,
    instanceLifecycle: i.capacityType === 'spot' ? 'spot' : undefined,
    spotInstanceRequestId: meta?.spotInstanceRequestId ?? undefined,
    virtualizationType: 'hvm',
    clientToken: i.clientToken ?? '',
    tagSet: tagSetXml(i.tags),
    hypervisor: 'xen',
    ebsOptimized: true,
    enaSupport: true,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    metadataOptions: { state: 'applied', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
  };
}

export function reservationXml(ctx: Ec2Context, reservationId: string, instances: SimInstance[]): Record<string, XmlValue> {
  return {
    reservationId,
    ownerId: ACCOUNT_ID,
    groupSet: undefined,
    instancesSet: instances.map((i) => instanceXml(ctx, i)),
  };
}

/** Reservation of an instance; instances launched outside the API get a stable derived one. */
export function reservationOf(ctx: Ec2Context, i: SimInstance): string {
  return ctx.state.instanceMeta.get(i.id)?.reservationId ?? `r-${i.id.slice(2)}`;
}
