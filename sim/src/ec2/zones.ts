import type { ActionHandler } from './context.ts';
import { errors } from './errors.ts';
import { applyFilters, parseFilters } from './filters.ts';
import { REGION } from './state.ts';

/** Zone ids are per-account aliases on AWS; here zone N is simply use1-azN. */
const describeAvailabilityZones: ActionHandler = (ctx) => {
  const zones = ctx.market.zones.map((zoneName, k) => ({ zoneName, zoneId: `use1-az${k + 1}` }));
  const names = ctx.params.strings('ZoneName');
  const unknown = names.find((n) => !ctx.market.zones.includes(n));
  if (unknown) throw errors.invalidValue(`The zone '${unknown}' does not exist.`);
  const selected = names.length ? zones.filter((z) => names.includes(z.zoneName)) : zones;
  const filtered = applyFilters(selected, parseFilters(ctx.params), (z, name) => {
    if (name === 'zone-name') return [z.zoneName];
    if (name === 'zone-id') return [z.zoneId];
    if (name === 'region-name') return [REGION];
    if (name === 'state') return ['available'];
    if (name === 'zone-type') return ['availability-zone'];
    if (name === 'opt-in-status') return ['opt-in-not-required'];
    return undefined;
  });
  return {
    availabilityZoneInfo: filtered.map((z) => ({
      zoneName: z.zoneName,
      zoneState: 'available',
      regionName: REGION,
      zoneId: z.zoneId,
      zoneType: 'availability-zone',
      optInStatus: 'opt-in-not-required',
      groupName: REGION,
      networkBorderGroup: REGION,
      messageSet: undefined,
    })),
  };
};

export const zoneActions: Record<string, ActionHandler> = { DescribeAvailabilityZones: describeAvailabilityZones };
