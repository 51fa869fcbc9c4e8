import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  DescribeSpotPriceHistoryCommand,
  type DescribeSpotPriceHistoryCommandInput,
  type InstanceTypeInfo as Ec2InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import type { AwsContext } from './aws-context.ts';
import { allPages, chunks, filtersOf, pageSizeFor, timeMs } from './aws-pages.ts';
import { CloudError } from './cloud-error.ts';
import type { Architecture, InstanceTypeInfo, SpotPrice, SpotPriceQuery, Zone } from './cloud-types.ts';

const TYPES_PAGE = { min: 5, max: 100 };
const PRICES_PAGE = { min: 5, max: 1000 };
/** DescribeInstanceTypes takes at most 100 names per call. */
const TYPE_NAMES_PER_CALL = 100;

function typeInfoOf(t: Ec2InstanceTypeInfo): InstanceTypeInfo {
  const classes = t.SupportedUsageClasses ?? [];
  return {
    instanceType: t.InstanceType ?? '',
    vcpu: t.VCpuInfo?.DefaultVCpus ?? 0,
    memoryMib: t.MemoryInfo?.SizeInMiB ?? 0,
    architectures: (t.ProcessorInfo?.SupportedArchitectures ?? []) as Architecture[],
    gpuCount: (t.GpuInfo?.Gpus ?? []).reduce((n, g) => n + (g.Count ?? 0), 0),
    currentGeneration: t.CurrentGeneration ?? false,
    supportsSpot: classes.includes('spot'),
    supportsOnDemand: classes.includes('on-demand'),
    bareMetal: t.BareMetal ?? false,
  };
}

export async function describeInstanceTypes(ctx: AwsContext, names?: readonly string[]): Promise<InstanceTypeInfo[]> {
  if (names && names.length === 0) return [];
  const batches: Array<string[] | undefined> = names ? chunks([...new Set(names)], TYPE_NAMES_PER_CALL) : [undefined];
  return ctx.call('describeInstanceTypes', async (send) => {
    const out: InstanceTypeInfo[] = [];
    for (const batch of batches) {
      const input: DescribeInstanceTypesCommandInput = batch
        ? { InstanceTypes: batch as DescribeInstanceTypesCommandInput['InstanceTypes'] }
        : { MaxResults: pageSizeFor(ctx.pageSize, TYPES_PAGE) };
      const items = await allPages(
        'describeInstanceTypes',
        async (NextToken) => {
          const page = await send(new DescribeInstanceTypesCommand({ ...input, NextToken }));
          return { items: page.InstanceTypes ?? [], nextToken: page.NextToken };
        },
        ctx.maxPages,
      );
      out.push(...items.map(typeInfoOf));
    }
    return out.sort((a, b) => a.instanceType.localeCompare(b.instanceType));
  });
}

/**
 * Zones go in as an `availability-zone` filter (the API's own AvailabilityZone takes one).
 * Without instance types EC2 lists every type, which is cheaper than naming hundreds.
 */
export async function describeSpotPriceHistory(ctx: AwsContext, query: SpotPriceQuery): Promise<SpotPrice[]> {
  if (query.instanceTypes && query.instanceTypes.length === 0) return [];
  if (query.endMs !== undefined && query.endMs < query.startMs) {
    throw new CloudError('invalid-parameter', 'describeSpotPriceHistory: endMs is before startMs', {
      operation: 'describeSpotPriceHistory',
    });
  }
  const typeBatches: Array<string[] | undefined> = query.instanceTypes
    ? chunks([...new Set(query.instanceTypes)], TYPE_NAMES_PER_CALL)
    : [undefined];
  return ctx.call('describeSpotPriceHistory', async (send) => {
    const out: SpotPrice[] = [];
    for (const types of typeBatches) {
      const input: DescribeSpotPriceHistoryCommandInput = {
        StartTime: new Date(query.startMs),
        ...(query.endMs === undefined ? {} : { EndTime: new Date(query.endMs) }),
        ProductDescriptions: [query.productDescription ?? 'Linux/UNIX'],
        ...(types ? { InstanceTypes: types as DescribeSpotPriceHistoryCommandInput['InstanceTypes'] } : {}),
        Filters: filtersOf(undefined, { 'availability-zone': query.zones }),
        MaxResults: pageSizeFor(ctx.pageSize, PRICES_PAGE),
      };
      const items = await allPages(
        'describeSpotPriceHistory',
        async (NextToken) => {
          const page = await send(new DescribeSpotPriceHistoryCommand({ ...input, NextToken }));
          return { items: page.SpotPriceHistory ?? [], nextToken: page.NextToken };
        },
        ctx.maxPages,
      );
      for (const p of items) {
        const price = Number(p.SpotPrice);
        const t = timeMs(p.Timestamp);
        if (!p.InstanceType || !p.AvailabilityZone || !Number.isFinite(price) || t === null) continue;
        out.push({ instanceType: p.InstanceType, zone: p.AvailabilityZone, price, timeMs: t });
      }
    }
    return out.sort((a, b) => a.instanceType.localeCompare(b.instanceType) || a.zone.localeCompare(b.zone) || a.timeMs - b.timeMs);
  });
}

export async function describeAvailabilityZones(ctx: AwsContext): Promise<Zone[]> {
  return ctx.call('describeAvailabilityZones', async (send) => {
    const out = await send(new DescribeAvailabilityZonesCommand({}));
    return (out.AvailabilityZones ?? [])
      .filter((z) => z.ZoneType === undefined || z.ZoneType === 'availability-zone')
      .map((z) => ({ name: z.ZoneName ?? '', zoneId: z.ZoneId ?? '', state: z.State ?? 'available' }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}
