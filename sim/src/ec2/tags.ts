import { hash32 } from '../core/rng.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { applyFilters, parseFilters } from './filters.ts';
import { page, pageRequest } from './pagination.ts';

const RESOURCE_TYPES: ReadonlyArray<[prefix: string, type: string, notFound: string]> = [
  ['i-', 'instance', 'InvalidInstanceID.NotFound'],
  ['vol-', 'volume', 'InvalidVolume.NotFound'],
  ['snap-', 'snapshot', 'InvalidSnapshot.NotFound'],
  ['ami-', 'image', 'InvalidAMIID.NotFound'],
];

function resourceTags(ctx: Ec2Context, id: string): Record<string, string> {
  const kind = RESOURCE_TYPES.find(([prefix]) => id.startsWith(prefix));
  if (!kind) throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
  const tags = ctx.state.tagsOf(id);
  if (!tags) throw errors.notFound(kind[2], `ID`, id);
  return tags;
}

/** Validates every resource before changing any, so a bad id leaves nothing half-tagged. */
const createTags: ActionHandler = (ctx) => {
  const ids = ctx.params.strings('ResourceId');
  if (!ids.length) throw errors.missing('ResourceId');
  const tags = ctx.params.list('Tag').map((t) => [t.required('Key'), t.string('Value') ?? ''] as const);
  if (!tags.length) throw errors.missing('Tag');
  const targets = ids.map((id) => resourceTags(ctx, id));
  for (const target of targets) for (const [k, v] of tags) target[k] = v;
  return { return: true };
};

/** A Tag without Value deletes the key whatever its value; no Tag at all deletes every tag. */
const deleteTags: ActionHandler = (ctx) => {
  const ids = ctx.params.strings('ResourceId');
  if (!ids.length) throw errors.missing('ResourceId');
  const specs = ctx.params.list('Tag').map((t) => ({ key: t.required('Key'), value: t.string('Value') }));
  const targets = ids.map((id) => resourceTags(ctx, id));
  for (const target of targets) {
    for (const key of Object.keys(target)) {
      const match = specs.length === 0 || specs.some((s) => s.key === key && (s.value === undefined || s.value === target[key]));
      if (match) delete target[key];
    }
  }
  return { return: true };
};

interface TagRow {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
}

function allTags(ctx: Ec2Context): TagRow[] {
  const rows: TagRow[] = [];
  const add = (resourceId: string, resourceType: string, tags: Record<string, string>) => {
    for (const [key, value] of Object.entries(tags)) rows.push({ resourceId, resourceType, key, value });
  };
  for (const i of ctx.fleet.list()) if (i.state !== 'terminated') add(i.id, 'instance', i.tags);
  for (const v of ctx.state.volumes.values()) add(v.id, 'volume', v.tags);
  for (const s of ctx.state.snapshots.values()) add(s.id, 'snapshot', s.tags);
  for (const img of ctx.state.images.values()) add(img.id, 'image', img.tags);
  return rows;
}

const describeTags: ActionHandler = (ctx) => {
  const p = ctx.params;
  const filtered = applyFilters(allTags(ctx), parseFilters(p), (r, name) => {
    if (name === 'resource-id') return [r.resourceId];
    if (name === 'resource-type') return [r.resourceType];
    if (name === 'key') return [r.key];
    if (name === 'value') return [r.value];
    return undefined;
  });
  const scope = `tags:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const { items, nextToken } = page(filtered, pageRequest(p, scope, { defaultSize: 1000, min: 5, max: 1000 }), scope);
  return { tagSet: items.map((r) => ({ resourceId: r.resourceId, resourceType: r.resourceType, key: r.key, value: r.value })), nextToken };
};

export const tagActions: Record<string, ActionHandler> = { CreateTags: createTags, DeleteTags: deleteTags, DescribeTags: describeTags };
