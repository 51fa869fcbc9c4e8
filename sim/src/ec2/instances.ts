import type { SimInstance } from '../core/fleet.ts';
import { hash32 } from '../core/rng.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { applyFilters, parseFilters, tagFilter } from './filters.ts';
import { instanceXml, reservationOf, STATE_CODES, stateXml } from './instance-xml.ts';
import { page, pageRequest } from './pagination.ts';
import { runInstances } from './run-instances.ts';
import { VPC_ID } from './state.ts';

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** EC2 keeps terminated instances visible for about an hour. */
const TERMINATED_VISIBLE_MS = 3_600_000;

function visible(ctx: Ec2Context): SimInstance[] {
  const now = ctx.clock.now();
  return ctx.fleet.list().filter((i) => i.state !== 'terminated' || (i.terminatedAtMs ?? now) > now - TERMINATED_VISIBLE_MS);
}

/** Looks up ids the way EC2 does: any malformed id, then any missing one, fails the whole call. */
function requireInstances(ctx: Ec2Context, ids: string[]): SimInstance[] {
  const bad = ids.find((id) => !INSTANCE_ID.test(id));
  if (bad !== undefined) throw errors.malformed('InvalidInstanceID.Malformed', 'i-...', bad);
  const byId = new Map(visible(ctx).map((i) => [i.id, i]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    throw new Ec2Error(
      'InvalidInstanceID.NotFound',
      missing.length === 1 ? `The instance ID '${missing[0]}' does not exist` : `The instance IDs '${missing.join(', ')}' do not exist`,
    );
  }
  return ids.map((id) => byId.get(id) as SimInstance);
}

function filterValues(ctx: Ec2Context, i: SimInstance, name: string): readonly string[] | undefined {
  switch (name) {
    case 'instance-id':
      return [i.id];
    case 'instance-state-name':
      return [i.state];
    case 'instance-state-code':
      return [String(STATE_CODES[i.state])];
    case 'instance-type':
      return [i.instanceType];
    case 'availability-zone':
      return [i.availabilityZone];
    case 'instance-lifecycle':
      return i.capacityType === 'spot' ? ['spot'] : [];
    case 'image-id':
      return [i.imageId];
    case 'subnet-id':
      return [i.subnetId];
    case 'vpc-id':
      return [VPC_ID];
    case 'private-dns-name':
      return [i.privateDnsName];
    case 'private-ip-address':
      return [i.privateIp];
    case 'client-token':
      return i.clientToken ? [i.clientToken] : [];
    case 'reservation-id':
      return [reservationOf(ctx, i)];
    default:
      return tagFilter(i.tags, name);
  }
}

const describeInstances: ActionHandler = (ctx) => {
  const p = ctx.params;
  const ids = p.strings('InstanceId');
  if (ids.length && p.has('MaxResults'))
    throw errors.combination('The parameter instancesSet cannot be used with the parameter maxResults');
  const base = ids.length ? requireInstances(ctx, ids) : visible(ctx);
  const filtered = applyFilters(base, parseFilters(p), (i, name) => filterValues(ctx, i, name));
  const scope = `instances:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const { items, nextToken } = page(filtered, pageRequest(p, scope, { defaultSize: Number.POSITIVE_INFINITY, min: 5, max: 1000 }), scope);
  const reservations = new Map<string, SimInstance[]>();
  for (const i of items) {
    const r = reservationOf(ctx, i);
    reservations.set(r, [...(reservations.get(r) ?? []), i]);
  }
  return {
    reservationSet: [...reservations].map(([reservationId, list]) => ({
      reservationId,
      ownerId: '123456789012',
      groupSet: undefined,
      instancesSet: list.map((i) => instanceXml(ctx, i)),
    })),
    nextToken,
  };
};

const terminateInstances: ActionHandler = (ctx) => {
  const ids = ctx.params.strings('InstanceId');
  if (!ids.length) throw errors.missing('InstanceId');
  const instances = requireInstances(ctx, ids);
  const previous = instances.map((i) => i.state);
  for (const i of instances) ctx.fleet.terminate(i.id, 'Client.UserInitiatedShutdown: User initiated shutdown');
  return {
    instancesSet: instances.map((i, k) => ({
      instanceId: i.id,
      currentState: stateXml(i.state),
      previousState: stateXml(previous[k] ?? i.state),
    })),
  };
};

export const instanceActions: Record<string, ActionHandler> = {
  DescribeInstances: describeInstances,
  RunInstances: runInstances,
  TerminateInstances: terminateInstances,
};
