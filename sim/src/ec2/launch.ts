import type { CapacityType, SimInstance } from '../core/fleet.ts';
import type { Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import type { QueryParams } from './query-parser.ts';

export const IMAGE_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

export function requireImage(ctx: Ec2Context, imageId: string): void {
  if (!IMAGE_ID.test(imageId)) throw errors.malformed('InvalidAMIID.Malformed', 'ami-...', imageId);
  if (!ctx.state.images.has(imageId)) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
}

export function requireInstanceType(ctx: Ec2Context, instanceType: string): void {
  if (!ctx.market.onDemandPrice(instanceType)) throw errors.invalidValue(`Invalid value '${instanceType}' for InstanceType.`);
}

/** Resolves the zone from an explicit AZ and/or subnet; they must agree. */
export function resolveZone(ctx: Ec2Context, az: string | undefined, subnetId: string | undefined): string | undefined {
  if (az !== undefined && !ctx.market.zones.includes(az)) throw errors.invalidValue(`Invalid availability zone: [${az}]`);
  if (subnetId === undefined) return az;
  const zone = ctx.state.zoneOfSubnet(subnetId);
  if (!zone) throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  if (az !== undefined && az !== zone) throw errors.combination(`The subnet ${subnetId} is in ${zone}, not ${az}.`);
  return zone;
}

/** Tags of the given resource type from TagSpecification.N. */
export function tagsFor(params: QueryParams, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of params.list('TagSpecification')) {
    if (spec.string('ResourceType') !== resourceType) continue;
    for (const t of spec.list('Tag')) tags[t.required('Key')] = t.string('Value') ?? '';
  }
  return tags;
}

/** How many more spot instances the account's limit allows. */
export function spotHeadroom(ctx: Ec2Context): number {
  const live = ctx.fleet.live().filter((i) => i.capacityType === 'spot').length;
  return Math.max(0, ctx.state.spotInstanceLimit - live);
}

export function spotLimitError(ctx: Ec2Context): Ec2Error {
  return new Ec2Error('MaxSpotInstanceCountExceeded', `Max spot instance count exceeded (limit ${ctx.state.spotInstanceLimit}).`);
}

export function capacityError(instanceType: string, az: string): Ec2Error {
  return new Ec2Error(
    'InsufficientInstanceCapacity',
    `There is not enough ${instanceType} capacity in ${az} to fulfil the request. Try another Availability Zone or instance type.`,
  );
}

export interface PoolLaunch {
  instanceType: string;
  availabilityZone: string;
  capacityType: CapacityType;
  imageId: string;
  tags: Record<string, string>;
  volumeTags?: Record<string, string>;
  clientToken?: string | null;
  reservationId: string;
  /** Launch index of the first instance in this reservation. */
  firstIndex?: number;
}

/** Launches `count` instances (the caller has checked capacity, price and limits). */
export function launchInPool(ctx: Ec2Context, spec: PoolLaunch, count: number): SimInstance[] {
  const now = ctx.clock.now();
  const price = spec.capacityType === 'spot' ? (ctx.market.spotPrice(spec.instanceType, spec.availabilityZone, now) ?? null) : null;
  const out: SimInstance[] = [];
  for (let k = 0; k < count; k++) {
    const inst = ctx.fleet.launch({
      instanceType: spec.instanceType,
      availabilityZone: spec.availabilityZone,
      capacityType: spec.capacityType,
      imageId: spec.imageId,
      subnetId: ctx.state.subnetFor(spec.availabilityZone),
      tags: spec.tags,
      clientToken: spec.clientToken ?? null,
      spotPriceAtLaunch: price,
    });
    ctx.state.instanceMeta.set(inst.id, {
      reservationId: spec.reservationId,
      amiLaunchIndex: (spec.firstIndex ?? 0) + k,
      spotInstanceRequestId: spec.capacityType === 'spot' ? `sir-${ctx.state.newId('x').slice(-8)}` : null,
    });
    if (spec.volumeTags) for (const v of ctx.state.volumesOf(inst.id)) Object.assign(v.tags, spec.volumeTags);
    out.push(inst);
  }
  return out;
}
