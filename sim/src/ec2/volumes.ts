import { hash32 } from '../core/rng.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { applyFilters, parseFilters, tagFilter } from './filters.ts';
import { tagSetXml } from './instance-xml.ts';
import { tagsFor } from './launch.ts';
import { page, pageRequest } from './pagination.ts';
import type { Volume } from './state.ts';
import type { XmlValue } from './xml.ts';

const VOLUME_ID = /^vol-[0-9a-f]{8}([0-9a-f]{9})?$/;

function requireVolume(ctx: Ec2Context, id: string): Volume {
  if (!VOLUME_ID.test(id)) throw errors.malformed('InvalidVolumeID.Malformed', 'vol-...', id);
  const v = ctx.state.volumes.get(id);
  if (!v) throw new Ec2Error('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return v;
}

export function volumeXml(v: Volume): Record<string, XmlValue> {
  return {
    volumeId: v.id,
    size: v.sizeGib,
    snapshotId: v.snapshotId ?? '',
    availabilityZone: v.availabilityZone,
    status: v.state,
    createTime: new Date(v.createTimeMs),
    attachmentSet: v.attachment
      ? [
          {
            volumeId: v.id,
            instanceId: v.attachment.instanceId,
            device: v.attachment.device,
            status: 'attached',
            attachTime: new Date(v.attachment.attachTimeMs),
            deleteOnTermination: v.attachment.deleteOnTermination,
          },
        ]
      : undefined,
    volumeType: v.volumeType,
    iops: v.iops ?? undefined,
    encrypted: v.encrypted,
    tagSet: tagSetXml(v.tags),
    multiAttachEnabled: false,
  };
}

function filterValues(v: Volume, name: string): readonly string[] | undefined {
  switch (name) {
    case 'volume-id':
      return [v.id];
    case 'status':
      return [v.state];
    case 'availability-zone':
      return [v.availabilityZone];
    case 'size':
      return [String(v.sizeGib)];
    case 'snapshot-id':
      return v.snapshotId ? [v.snapshotId] : [];
    case 'volume-type':
      return [v.volumeType];
    case 'attachment.instance-id':
      return v.attachment ? [v.attachment.instanceId] : [];
    case 'attachment.status':
      return v.attachment ? ['attached'] : [];
    case 'attachment.delete-on-termination':
      return v.attachment ? [String(v.attachment.deleteOnTermination)] : [];
    default:
      return tagFilter(v.tags, name);
  }
}

const describeVolumes: ActionHandler = (ctx) => {
  const p = ctx.params;
  const ids = p.strings('VolumeId');
  const base = ids.length ? ids.map((id) => requireVolume(ctx, id)) : [...ctx.state.volumes.values()];
  const filtered = applyFilters(base, parseFilters(p), filterValues);
  const scope = `volumes:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const { items, nextToken } = page(filtered, pageRequest(p, scope, { defaultSize: Number.POSITIVE_INFINITY, min: 5, max: 500 }), scope);
  return { volumeSet: items.map(volumeXml), nextToken };
};

/** New volumes answer "creating" and become available a virtual second later. */
const createVolume: ActionHandler = (ctx) => {
  const p = ctx.params;
  const az = p.required('AvailabilityZone');
  if (!ctx.market.zones.includes(az)) throw errors.invalidValue(`Invalid availability zone: [${az}]`);
  const snapshotId = p.string('SnapshotId');
  const snapshot = snapshotId === undefined ? undefined : ctx.state.snapshots.get(snapshotId);
  if (snapshotId !== undefined && !snapshot) throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
  const size = p.int('Size', { min: 1, max: 65536 }) ?? snapshot?.sizeGib;
  if (size === undefined) throw errors.missing('Size');
  const volumeType = p.string('VolumeType') ?? 'gp2';
  const id = ctx.state.newId('vol');
  const volume: Volume = {
    id,
    sizeGib: size,
    snapshotId: snapshotId ?? null,
    availabilityZone: az,
    state: 'creating',
    createTimeMs: ctx.clock.now(),
    volumeType,
    iops: p.int('Iops') ?? (volumeType === 'gp3' ? 3000 : volumeType === 'gp2' ? Math.max(100, 3 * size) : null),
    encrypted: p.bool('Encrypted') ?? false,
    tags: tagsFor(p, 'volume'),
    attachment: null,
  };
  ctx.state.volumes.set(id, volume);
  ctx.clock.setTimeout(() => {
    if (volume.state === 'creating') volume.state = 'available';
  }, 1000);
  return volumeXml(volume);
};

const deleteVolume: ActionHandler = (ctx) => {
  const v = requireVolume(ctx, ctx.params.required('VolumeId'));
  if (v.attachment) throw new Ec2Error('VolumeInUse', `Volume ${v.id} is currently attached to ${v.attachment.instanceId}`);
  ctx.state.volumes.delete(v.id);
  return { return: true };
};

export const volumeActions: Record<string, ActionHandler> = {
  DescribeVolumes: describeVolumes,
  CreateVolume: createVolume,
  DeleteVolume: deleteVolume,
};
