import type { CapacityType } from '../core/fleet.ts';
import { type AllocationStrategy, allocate, type CandidatePool, ON_DEMAND_STRATEGIES, SPOT_STRATEGIES } from './allocation.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { launchInPool, resolveZone, spotHeadroom, tagsFor } from './launch.ts';
import type { QueryParams } from './query-parser.ts';
import { BUILT_IN_IMAGE_IDS } from './seed.ts';
import type { XmlValue } from './xml.ts';

interface Override {
  instanceType: string;
  availabilityZone: string;
  imageId: string;
  maxPrice: number | undefined;
  /** What the response echoes back as launchTemplateAndOverrides. */
  echo: Record<string, XmlValue>;
}

interface FleetError {
  echo: Record<string, XmlValue>;
  lifecycle: CapacityType;
  code: string;
  message: string;
}

/**
 * Expands LaunchTemplateConfigs into one override per pool. Launch templates are not
 * simulated: the template reference is echoed, and the image comes from the override's
 * ImageId or the built-in node image for the type's architecture. An override without
 * zone or subnet covers every zone, as a template with no subnet would.
 */
function overrides(ctx: Ec2Context): {
  pools: Override[];
  priorities: Map<Override, number>;
  weights: Map<Override, number>;
  errors: FleetError[];
} {
  const configs = ctx.params.list('LaunchTemplateConfigs');
  if (!configs.length) throw errors.missing('LaunchTemplateConfigs');
  const pools: Override[] = [];
  const priorities = new Map<Override, number>();
  const weights = new Map<Override, number>();
  const bad: FleetError[] = [];
  for (const config of configs) {
    const spec = config.struct('LaunchTemplateSpecification');
    const template = {
      launchTemplateId: spec?.string('LaunchTemplateId'),
      launchTemplateName: spec?.string('LaunchTemplateName'),
      version: spec?.string('Version') ?? '$Default',
    };
    const list: Array<QueryParams | undefined> = config.list('Overrides');
    for (const o of list.length ? list : [undefined]) {
      const instanceType = o?.string('InstanceType');
      if (instanceType === undefined)
        throw errors.unsupported(
          'The simulator needs Overrides.N.InstanceType (instance requirements and template types are not simulated).',
        );
      const subnetId = o?.string('SubnetId');
      const az = resolveZone(ctx, o?.string('AvailabilityZone'), subnetId);
      const arch = ctx.market.catalog.get(instanceType)?.architecture;
      for (const zone of az ? [az] : ctx.market.zones) {
        const echo: Record<string, XmlValue> = {
          launchTemplateSpecification: template,
          overrides: {
            instanceType,
            maxPrice: o?.string('MaxPrice'),
            subnetId: subnetId ?? ctx.state.subnetFor(zone),
            availabilityZone: zone,
            weightedCapacity: o?.string('WeightedCapacity'),
            priority: o?.string('Priority'),
          },
        };
        const pool: Override = {
          instanceType,
          availabilityZone: zone,
          imageId: o?.string('ImageId') ?? (arch === 'arm64' ? BUILT_IN_IMAGE_IDS.al2023Arm : BUILT_IN_IMAGE_IDS.al2023X86),
          maxPrice: o?.number('MaxPrice'),
          echo,
        };
        if (ctx.market.onDemandPrice(instanceType) === undefined) {
          bad.push({
            echo,
            lifecycle: 'spot',
            code: 'InvalidParameterValue',
            message: `Invalid value '${instanceType}' for InstanceType.`,
          });
          continue;
        }
        pools.push(pool);
        priorities.set(pool, o?.number('Priority') ?? Number.POSITIVE_INFINITY);
        weights.set(pool, o?.number('WeightedCapacity') ?? 1);
      }
    }
  }
  return { pools, priorities, weights, errors: bad };
}

function strategyOf(p: QueryParams, key: string, allowed: readonly AllocationStrategy[]): AllocationStrategy {
  const s = (p.string(key) ?? 'lowest-price') as AllocationStrategy;
  if (!allowed.includes(s)) throw errors.invalidValue(`Invalid value '${s}' for ${key}`);
  return s;
}

/**
 * CreateFleet of type `instant`: places the target capacity across the override pools
 * with the requested allocation strategies and answers with the instances launched per
 * pool (fleetInstanceSet) and the pools that failed (errorSet). `request` and `maintain`
 * fleets are not simulated.
 */
const createFleet: ActionHandler = (ctx) => {
  const p = ctx.params;
  if (p.string('Type') !== 'instant') throw errors.unsupported('The simulator supports only CreateFleet Type=instant.');
  const token = p.string('ClientToken');
  const previous = token ? ctx.state.clientTokens.get(token) : undefined;
  if (previous) {
    if (previous.fingerprint !== p.canonical(['ClientToken']))
      throw new Ec2Error('IdempotentParameterMismatch', `The client token '${token}' was used with different parameters.`);
    return previous.payload as Record<string, XmlValue>;
  }

  const total = p.int('TargetCapacitySpecification.TotalTargetCapacity', { min: 1 });
  if (total === undefined) throw errors.missing('TargetCapacitySpecification.TotalTargetCapacity');
  const onDemandTarget = p.int('TargetCapacitySpecification.OnDemandTargetCapacity', { min: 0 }) ?? 0;
  const spotTarget = p.int('TargetCapacitySpecification.SpotTargetCapacity', { min: 0 }) ?? 0;
  const defaultType = p.string('TargetCapacitySpecification.DefaultTargetCapacityType') ?? 'on-demand';
  if (defaultType !== 'spot' && defaultType !== 'on-demand')
    throw errors.invalidValue(`Invalid value '${defaultType}' for DefaultTargetCapacityType`);
  const rest = Math.max(0, total - onDemandTarget - spotTarget);
  const targets: Record<CapacityType, number> = {
    spot: spotTarget + (defaultType === 'spot' ? rest : 0),
    'on-demand': onDemandTarget + (defaultType === 'on-demand' ? rest : 0),
  };

  const { pools, priorities, weights, errors: fleetErrors } = overrides(ctx);
  const now = ctx.clock.now();
  const instanceTags = tagsFor(p, 'instance');
  const volumeTags = tagsFor(p, 'volume');
  const fleetInstances: XmlValue[] = [];

  for (const lifecycle of ['on-demand', 'spot'] as const) {
    let units = targets[lifecycle];
    if (units <= 0) continue;
    const candidates: CandidatePool<Override>[] = [];
    for (const o of pools) {
      const price =
        lifecycle === 'spot' ? ctx.market.spotPrice(o.instanceType, o.availabilityZone, now) : ctx.market.onDemandPrice(o.instanceType);
      if (price === undefined) {
        fleetErrors.push({
          echo: o.echo,
          lifecycle,
          code: 'Unsupported',
          message: `No ${lifecycle} offering for ${o.instanceType} in ${o.availabilityZone}.`,
        });
      } else if (lifecycle === 'spot' && o.maxPrice !== undefined && o.maxPrice < price) {
        fleetErrors.push({
          echo: o.echo,
          lifecycle,
          code: 'SpotMaxPriceTooLow',
          message: `Max price ${o.maxPrice} is below the Spot price ${price}.`,
        });
      } else {
        const available = ctx.market.capacity.available(o.instanceType, o.availabilityZone);
        candidates.push({ price, available, priority: priorities.get(o) ?? Number.POSITIVE_INFINITY, weight: weights.get(o) ?? 1, ref: o });
      }
    }
    if (lifecycle === 'spot') {
      const headroom = spotHeadroom(ctx);
      if (headroom < units)
        fleetErrors.push({
          echo: pools[0]?.echo ?? {},
          lifecycle,
          code: 'MaxSpotInstanceCountExceeded',
          message: `Max spot instance count exceeded (limit ${ctx.state.spotInstanceLimit}).`,
        });
      units = Math.min(units, headroom);
    }
    const strategy =
      lifecycle === 'spot'
        ? strategyOf(p, 'SpotOptions.AllocationStrategy', SPOT_STRATEGIES)
        : strategyOf(p, 'OnDemandOptions.AllocationStrategy', ON_DEMAND_STRATEGIES);
    const poolsToUse = lifecycle === 'spot' ? (p.int('SpotOptions.InstancePoolsToUseCount', { min: 1 }) ?? 1) : 1;
    const plan = allocate(candidates, strategy, units, poolsToUse);
    for (const e of plan.exhausted) {
      fleetErrors.push({
        echo: e.ref.echo,
        lifecycle,
        code: 'InsufficientInstanceCapacity',
        message: `There is not enough ${e.ref.instanceType} capacity in ${e.ref.availabilityZone}.`,
      });
    }
    const minTarget =
      lifecycle === 'spot' ? (p.int('SpotOptions.MinTargetCapacity') ?? 0) : (p.int('OnDemandOptions.MinTargetCapacity') ?? 0);
    if (plan.unitsPlaced < minTarget) continue;
    for (const { pool, count } of plan.launches) {
      const o = pool.ref;
      const launched = launchInPool(
        ctx,
        {
          instanceType: o.instanceType,
          availabilityZone: o.availabilityZone,
          capacityType: lifecycle,
          imageId: o.imageId,
          tags: instanceTags,
          volumeTags,
          reservationId: ctx.state.newId('r'),
        },
        count,
      );
      fleetInstances.push({
        launchTemplateAndOverrides: o.echo,
        lifecycle,
        instanceIds: launched.map((i) => i.id),
        instanceType: o.instanceType,
        platform: undefined,
        availabilityZone: o.availabilityZone,
        subnetId: ctx.state.subnetFor(o.availabilityZone),
      });
    }
  }

  const body: Record<string, XmlValue> = {
    fleetId: `fleet-${uuidLike(ctx)}`,
    errorSet: fleetErrors.length
      ? fleetErrors.map((e) => ({ launchTemplateAndOverrides: e.echo, lifecycle: e.lifecycle, errorCode: e.code, errorMessage: e.message }))
      : undefined,
    fleetInstanceSet: fleetInstances.length ? fleetInstances : undefined,
  };
  if (token) ctx.state.clientTokens.set(token, { fingerprint: p.canonical(['ClientToken']), instanceIds: [], payload: body });
  return body;
};

function uuidLike(ctx: Ec2Context): string {
  const hex = (ctx.state.newId('x').slice(3) + ctx.state.newId('x').slice(3)).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const fleetRequestActions: Record<string, ActionHandler> = { CreateFleet: createFleet };
