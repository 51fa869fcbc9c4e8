import { hash32 } from '../core/rng.ts';
import type { ActionHandler } from './context.ts';
import { Ec2Error } from './errors.ts';
import { applyFilters, parseFilters, tagFilter } from './filters.ts';
import { tagSetXml } from './instance-xml.ts';
import { IMAGE_ID } from './launch.ts';
import { page, pageRequest } from './pagination.ts';
import { ACCOUNT_ID, type Image } from './state.ts';
import type { XmlValue } from './xml.ts';

function imageXml(img: Image): Record<string, XmlValue> {
  return {
    imageId: img.id,
    imageLocation: `${img.ownerId}/${img.name}`,
    imageState: 'available',
    imageOwnerId: img.ownerId,
    creationDate: new Date(img.creationTimeMs).toISOString(),
    isPublic: false,
    architecture: img.architecture,
    imageType: 'machine',
    name: img.name,
    description: img.description,
    rootDeviceType: 'ebs',
    rootDeviceName: img.rootDeviceName,
    blockDeviceMapping: img.blockDevices.map((b) => ({
      deviceName: b.deviceName,
      ebs: {
        snapshotId: b.snapshotId,
        volumeSize: b.sizeGib,
        deleteOnTermination: b.deleteOnTermination,
        volumeType: b.volumeType,
        encrypted: false,
      },
    })),
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    enaSupport: true,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    tagSet: tagSetXml(img.tags),
  };
}

const describeImages: ActionHandler = (ctx) => {
  const p = ctx.params;
  const ids = p.strings('ImageId');
  for (const id of ids) {
    if (!IMAGE_ID.test(id)) throw new Ec2Error('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
    if (!ctx.state.images.has(id)) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  }
  const owners = p.strings('Owner');
  const all = [...ctx.state.images.values()];
  const selected = all.filter(
    (img) =>
      (ids.length === 0 || ids.includes(img.id)) &&
      (owners.length === 0 || owners.some((o) => (o === 'self' ? ACCOUNT_ID : o) === img.ownerId)),
  );
  const filtered = applyFilters(selected, parseFilters(p), (img, name) => {
    if (name === 'image-id') return [img.id];
    if (name === 'name') return [img.name];
    if (name === 'architecture') return [img.architecture];
    if (name === 'state') return ['available'];
    if (name === 'owner-id') return [img.ownerId];
    if (name === 'block-device-mapping.snapshot-id') return img.blockDevices.map((b) => b.snapshotId);
    return tagFilter(img.tags, name);
  });
  const scope = `images:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const { items, nextToken } = page(filtered, pageRequest(p, scope, { defaultSize: Number.POSITIVE_INFINITY, min: 5, max: 1000 }), scope);
  return { imagesSet: items.map(imageXml), nextToken };
};

export const imageActions: Record<string, ActionHandler> = { DescribeImages: describeImages };
