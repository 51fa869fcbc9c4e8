import { hash32 } from '../core/rng.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { applyFilters, parseFilters, tagFilter } from './filters.ts';
import { tagSetXml } from './instance-xml.ts';
import { tagsFor } from './launch.ts';
import { page, pageRequest } from './pagination.ts';
import { ACCOUNT_ID, type Snapshot } from './state.ts';
import type { XmlValue } from './xml.ts';

const SNAPSHOT_ID = /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** Every snapshot here belongs to the account: "self" or its id select them, other owners nothing. */
function ownedBy(owners: string[]): boolean {
  return owners.length === 0 || owners.some((o) => o === 'self' || o === ACCOUNT_ID);
}

function requireSnapshot(ctx: Ec2Context, id: string): Snapshot {
  if (!SNAPSHOT_ID.test(id)) throw errors.malformed('InvalidSnapshotID.Malformed', 'snap-...', id);
  const s = ctx.state.snapshots.get(id);
  if (!s) throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
  return s;
}

function snapshotXml(s: Snapshot): Record<string, XmlValue> {
  const completed = (s.state ?? 'completed') === 'completed';
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    status: completed ? 'completed' : 'pending',
    startTime: new Date(s.startTimeMs),
    progress: completed ? '100%' : '0%',
    ownerId: ACCOUNT_ID,
    volumeSize: s.sizeGib,
    description: s.description,
    encrypted: s.encrypted,
    tagSet: tagSetXml(s.tags),
    storageTier: 'standard',
  };
}

/** Snapshots answer "pending" and complete a virtual minute later (real ones take minutes to hours). */
const SNAPSHOT_COMPLETION_MS = 60_000;

const createSnapshot: ActionHandler = (ctx) => {
  const p = ctx.params;
  const volumeId = p.required('VolumeId');
  const volume = ctx.state.volumes.get(volumeId);
  if (!volume) throw new Ec2Error('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
  const snapshot: Snapshot = {
    id: ctx.state.newId('snap'),
    volumeId,
    sizeGib: volume.sizeGib,
    startTimeMs: ctx.clock.now(),
    description: p.string('Description') ?? '',
    encrypted: volume.encrypted,
    tags: tagsFor(p, 'snapshot'),
    state: 'pending',
  };
  ctx.state.snapshots.set(snapshot.id, snapshot);
  ctx.clock.setTimeout(() => {
    snapshot.state = 'completed';
  }, SNAPSHOT_COMPLETION_MS);
  return snapshotXml(snapshot);
};

const describeSnapshots: ActionHandler = (ctx) => {
  const p = ctx.params;
  const ids = p.strings('SnapshotId');
  const base = ids.length ? ids.map((id) => requireSnapshot(ctx, id)) : [...ctx.state.snapshots.values()];
  const owned = ownedBy(p.strings('Owner')) ? base : [];
  const filtered = applyFilters(owned, parseFilters(p), (s, name) => {
    if (name === 'snapshot-id') return [s.id];
    if (name === 'volume-id') return [s.volumeId];
    if (name === 'status') return [s.state ?? 'completed'];
    if (name === 'owner-id') return [ACCOUNT_ID];
    if (name === 'volume-size') return [String(s.sizeGib)];
    if (name === 'description') return [s.description];
    return tagFilter(s.tags, name);
  });
  const scope = `snapshots:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const { items, nextToken } = page(filtered, pageRequest(p, scope, { defaultSize: Number.POSITIVE_INFINITY, min: 5, max: 1000 }), scope);
  return {
    snapshotSet: items.map(snapshotXml),
    nextToken,
  };
};

const deleteSnapshot: ActionHandler = (ctx) => {
  const s = requireSnapshot(ctx, ctx.params.required('SnapshotId'));
  const image = ctx.state.imageUsing(s.id);
  if (image) throw new Ec2Error('InvalidSnapshot.InUse', `The snapshot ${s.id} is currently in use by ${image.id}`);
  ctx.state.snapshots.delete(s.id);
  return { return: true };
};

export const snapshotActions: Record<string, ActionHandler> = {
  DescribeSnapshots: describeSnapshots,
  CreateSnapshot: createSnapshot,
  DeleteSnapshot: deleteSnapshot,
};
