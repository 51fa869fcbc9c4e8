import {
  DescribeInstancesCommand,
  type Instance as Ec2Instance,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { AwsContext, Sender } from './aws-context.ts';
import { allPages, chunks, filtersOf, MAX_FILTER_VALUES, pageSizeFor, tagList, tagRecord, timeMs } from './aws-pages.ts';
import { CloudError } from './cloud-error.ts';
import {
  type Instance,
  type InstanceQuery,
  type InstanceState,
  type LaunchRequest,
  TAG_KEYS,
  type TerminateResult,
} from './cloud-types.ts';

const INSTANCE_PAGE = { min: 5, max: 1000 };
/** TerminateInstances takes at most 1000 ids per call. */
const TERMINATE_BATCH = 1000;
const CLIENT_TOKEN = /^[\x20-\x7e]{1,64}$/;

export function instanceOf(i: Ec2Instance): Instance {
  return {
    id: i.InstanceId ?? '',
    instanceType: i.InstanceType ?? '',
    zone: i.Placement?.AvailabilityZone ?? '',
    subnetId: i.SubnetId ?? null,
    capacityType: i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    state: (i.State?.Name ?? 'pending') as InstanceState,
    launchTimeMs: timeMs(i.LaunchTime) ?? 0,
    imageId: i.ImageId ?? '',
    privateIp: i.PrivateIpAddress || null,
    privateDnsName: i.PrivateDnsName || null,
    clientToken: i.ClientToken || null,
    stateReason: i.StateReason?.Code ?? '',
    tags: tagRecord(i.Tags),
  };
}

function launchInput(req: LaunchRequest): RunInstancesCommandInput {
  const tags = tagList({
    ...req.tags,
    [TAG_KEYS.tenant]: req.tenant,
    [TAG_KEYS.cluster]: req.cluster,
    [TAG_KEYS.decision]: req.decisionId,
    [TAG_KEYS.managed]: 'true',
  });
  return {
    ImageId: req.imageId,
    InstanceType: req.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: req.clientToken,
    Placement: { AvailabilityZone: req.zone },
    ...(req.subnetId ? { SubnetId: req.subnetId } : {}),
    ...(req.securityGroupIds?.length ? { SecurityGroupIds: req.securityGroupIds } : {}),
    ...(req.userData ? { UserData: Buffer.from(req.userData, 'utf8').toString('base64') } : {}),
    ...(req.capacityType === 'spot'
      ? {
          InstanceMarketOptions: {
            MarketType: 'spot',
            SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' },
          },
        }
      : {}),
    // Volumes carry the owner tags too, so a cleanup can tell Ballast's leftovers from others'.
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}

export async function launch(ctx: AwsContext, req: LaunchRequest): Promise<Instance> {
  const pool = { instanceType: req.instanceType, zone: req.zone, capacityType: req.capacityType };
  if (!CLIENT_TOKEN.test(req.clientToken)) {
    throw new CloudError('invalid-parameter', 'launch: clientToken must be 1–64 printable ASCII characters', { operation: 'launch' });
  }
  return ctx.call(
    'launch',
    async (send) => {
      const out = await send(new RunInstancesCommand(launchInput(req)));
      const first = out.Instances?.[0];
      if (!first?.InstanceId)
        throw new CloudError('internal', 'launch: RunInstances answered without an instance', { operation: 'launch' });
      return instanceOf(first);
    },
    { pool },
  );
}

async function terminateBatch(send: Sender, ids: string[]): Promise<TerminateResult[]> {
  try {
    const out = await send(new TerminateInstancesCommand({ InstanceIds: ids }));
    const byId = new Map((out.TerminatingInstances ?? []).map((t) => [t.InstanceId, t]));
    return ids.map((id) => ({
      id,
      previousState: (byId.get(id)?.PreviousState?.Name ?? null) as InstanceState | null,
      currentState: (byId.get(id)?.CurrentState?.Name ?? 'shutting-down') as InstanceState,
    }));
  } catch (err) {
    if ((err as Error).name !== 'InvalidInstanceID.NotFound') throw err;
    // One unknown id fails the whole batch on EC2; split it so the known ones still go.
    if (ids.length === 1) return [{ id: ids[0] as string, previousState: null, currentState: 'terminated' }];
    const out: TerminateResult[] = [];
    for (const id of ids) out.push(...(await terminateBatch(send, [id])));
    return out;
  }
}

export async function terminate(ctx: AwsContext, ids: readonly string[]): Promise<TerminateResult[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  return ctx.call('terminate', async (send) => {
    const out: TerminateResult[] = [];
    for (const batch of chunks(unique, TERMINATE_BATCH)) out.push(...(await terminateBatch(send, batch)));
    return out;
  });
}

/**
 * Ids go in as an `instance-id` filter, not InstanceIds: a filter skips unknown ids where
 * InstanceIds fails the whole call on one, and only filters may be paginated.
 */
export async function describeInstances(ctx: AwsContext, query: InstanceQuery = {}): Promise<Instance[]> {
  if (query.ids && query.ids.length === 0) return [];
  const idChunks: Array<string[] | undefined> = query.ids ? chunks([...new Set(query.ids)], MAX_FILTER_VALUES) : [undefined];
  return ctx.call('describeInstances', async (send) => {
    const out: Instance[] = [];
    for (const ids of idChunks) {
      const Filters = filtersOf(query.tags, { 'instance-id': ids, 'instance-state-name': query.states, 'availability-zone': query.zones });
      const items = await allPages(
        'describeInstances',
        async (NextToken) => {
          const page = await send(
            new DescribeInstancesCommand({ Filters, MaxResults: pageSizeFor(ctx.pageSize, INSTANCE_PAGE), NextToken }),
          );
          return { items: (page.Reservations ?? []).flatMap((r) => r.Instances ?? []), nextToken: page.NextToken };
        },
        ctx.maxPages,
      );
      out.push(...items.map(instanceOf));
    }
    return out;
  });
}
