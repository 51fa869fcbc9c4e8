import type { SimInstance } from '../core/fleet.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { reservationXml } from './instance-xml.ts';
import {
  capacityError,
  launchInPool,
  requireImage,
  requireInstanceType,
  resolveZone,
  spotHeadroom,
  spotLimitError,
  tagsFor,
} from './launch.ts';

/** Replays the original reservation for a repeated ClientToken, or refuses a changed request. */
function idempotentRepeat(ctx: Ec2Context, token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  const previous = ctx.state.clientTokens.get(token);
  if (!previous) return undefined;
  if (previous.fingerprint !== ctx.params.canonical(['ClientToken'])) {
    throw new Ec2Error('IdempotentParameterMismatch', `The client token '${token}' was used with different parameters.`);
  }
  const instances = previous.instanceIds.map((id) => ctx.fleet.get(id)).filter((i): i is SimInstance => i !== undefined);
  return reservationXml(ctx, String(previous.payload), instances);
}

/**
 * RunInstances: launches between MinCount and MaxCount instances into one pool, spot
 * when InstanceMarketOptions.MarketType=spot. With no zone or subnet the zone with the
 * most free capacity is chosen, as EC2 spreads unplaced launches.
 */
export const runInstances: ActionHandler = (ctx) => {
  const p = ctx.params;
  const token = p.string('ClientToken');
  const repeat = idempotentRepeat(ctx, token);
  if (repeat) return repeat as ReturnType<ActionHandler>;

  const imageId = p.required('ImageId');
  requireImage(ctx, imageId);
  const instanceType = p.required('InstanceType');
  requireInstanceType(ctx, instanceType);
  const minCount = p.int('MinCount', { min: 1 }) ?? 1;
  const maxCount = p.int('MaxCount', { min: 1 }) ?? minCount;
  if (minCount > maxCount) throw errors.invalidValue('MinCount must be less than or equal to MaxCount');

  const marketType = p.string('InstanceMarketOptions.MarketType');
  if (marketType !== undefined && marketType !== 'spot')
    throw errors.invalidValue(`Invalid value '${marketType}' for InstanceMarketOptions.MarketType`);
  const spot = marketType === 'spot';
  const zone =
    resolveZone(ctx, p.string('Placement.AvailabilityZone'), p.string('SubnetId')) ??
    [...ctx.market.zones].sort(
      (a, b) => ctx.market.capacity.available(instanceType, b) - ctx.market.capacity.available(instanceType, a),
    )[0];
  if (zone === undefined) throw errors.invalidValue('No availability zone is available');

  let allowed = maxCount;
  if (spot) {
    const price = ctx.market.spotPrice(instanceType, zone, ctx.clock.now());
    if (price === undefined) throw errors.unsupported(`There is no Spot capacity for ${instanceType} in ${zone}.`);
    const maxPrice = p.number('InstanceMarketOptions.SpotOptions.MaxPrice');
    if (maxPrice !== undefined && maxPrice < price) {
      throw new Ec2Error(
        'SpotMaxPriceTooLow',
        `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${price}.`,
      );
    }
    allowed = Math.min(allowed, spotHeadroom(ctx));
    if (allowed < minCount) throw spotLimitError(ctx);
  }
  const count = Math.min(allowed, ctx.market.capacity.available(instanceType, zone));
  if (count < minCount) throw capacityError(instanceType, zone);

  const reservationId = ctx.state.newId('r');
  const instances = launchInPool(
    ctx,
    {
      instanceType,
      availabilityZone: zone,
      capacityType: spot ? 'spot' : 'on-demand',
      imageId,
      tags: tagsFor(p, 'instance'),
      volumeTags: tagsFor(p, 'volume'),
      clientToken: token ?? null,
      reservationId,
    },
    count,
  );
  if (token)
    ctx.state.clientTokens.set(token, {
      fingerprint: p.canonical(['ClientToken']),
      instanceIds: instances.map((i) => i.id),
      payload: reservationId,
    });
  return reservationXml(ctx, reservationId, instances);
};
