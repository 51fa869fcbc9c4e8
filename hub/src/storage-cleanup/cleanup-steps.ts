import { isCloudError } from '../cloud/cloud-error.ts';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import { TAG_KEYS } from '../cloud/cloud-types.ts';
import type { StepContext, StepOutcome } from '../jobs/job-kind.ts';
import { attachmentsOf, imagesUsing } from './storage-inventory.ts';
import { type StoragePrices, snapshotMonthlyCost, volumeMonthlyCost } from './storage-prices.ts';

export type CleanupCloud = Pick<
  CloudProvider,
  'describeVolumes' | 'deleteVolume' | 'describeSnapshots' | 'createSnapshot' | 'deleteSnapshot' | 'describeImages'
>;

interface Deps {
  cloud: CleanupCloud;
  prices: StoragePrices;
}

/** Tags that let a resumed step find the backup an earlier attempt started but did not record. */
export const BACKUP_TAGS = { job: 'ballast.io/job', step: 'ballast.io/job-step', of: 'ballast.io/backup-of' } as const;
/** How often a step waiting for a backup snapshot looks again. */
const SNAPSHOT_POLL_MS = 15_000;

/**
 * Backs the volume up before it is deleted. CreateSnapshot takes no client token, so the
 * snapshot carries the job and step in its tags: a step that crashed after creating it
 * finds it instead of making a second one. Done when the snapshot is complete.
 */
export async function snapshotVolumeStep(d: Deps, ctx: StepContext): Promise<StepOutcome> {
  const volumeId = ctx.step.target;
  const tags = { [BACKUP_TAGS.job]: ctx.job.id, [BACKUP_TAGS.step]: String(ctx.step.seq) };
  const recorded = typeof ctx.step.effect.snapshotId === 'string' ? ctx.step.effect.snapshotId : null;
  let snapshot = (await d.cloud.describeSnapshots(recorded ? { ids: [recorded] } : { tags }))[0];
  if (!snapshot) {
    const volume = (await d.cloud.describeVolumes({ ids: [volumeId] }))[0];
    if (!volume) return { status: 'skipped', message: `${volumeId} no longer exists: nothing to back up` };
    const cost = snapshotMonthlyCost(d.prices, volume.sizeGib);
    if (ctx.dryRun) {
      await ctx.log('info', `dry run: would snapshot ${volumeId} (${volume.sizeGib} GiB, up to $${cost}/month) before deleting it`);
      return { status: 'skipped', message: 'dry run' };
    }
    await ctx.recordEffect({ intent: 'create-snapshot', intentAt: ctx.now() });
    snapshot = await d.cloud.createSnapshot({
      volumeId,
      description: `Ballast backup of ${volumeId} before storage cleanup job ${ctx.job.id}`,
      tags: { ...tags, [BACKUP_TAGS.of]: volumeId, [TAG_KEYS.managed]: 'true' },
    });
    await ctx.recordEffect({ snapshotId: snapshot.id });
    await ctx.audit({
      action: 'storage.snapshot.create',
      target: `snapshot:${snapshot.id}`,
      result: 'success',
      details: { volumeId, sizeGib: volume.sizeGib },
    });
    await ctx.log('info', `backing up ${volumeId} as ${snapshot.id}`);
  } else if (!recorded) {
    await ctx.recordEffect({ snapshotId: snapshot.id, foundByTags: true });
  }
  if (snapshot.state === 'completed') return { status: 'succeeded', message: `backup ${snapshot.id} completed` };
  if (snapshot.state === 'error') throw new Error(`backup snapshot ${snapshot.id} of ${volumeId} failed; the volume is kept`);
  return { status: 'wait', afterMs: SNAPSHOT_POLL_MS, message: `waiting for backup ${snapshot.id} (${snapshot.state})` };
}

/** Deletes an unattached volume, after checking it is still there and still unattached. */
export async function deleteVolumeStep(d: Deps, ctx: StepContext): Promise<StepOutcome> {
  const id = ctx.step.target;
  const volume = (await d.cloud.describeVolumes({ ids: [id] }))[0];
  if (!volume) return gone(ctx, id);
  const attached = attachmentsOf(volume);
  if (attached.length > 0 || volume.state !== 'available') {
    const why = attached.length > 0 ? `is attached to ${attached.join(', ')}` : `is ${volume.state}`;
    return refuse(ctx, `volume:${id}`, 'storage.volume.delete', `${id} ${why} now: not deleted`);
  }
  const cost = volumeMonthlyCost(d.prices, volume.volumeType, volume.sizeGib);
  const what = `${id} (${volume.volumeType}, ${volume.sizeGib} GiB, $${cost}/month)`;
  if (ctx.dryRun) return dry(ctx, `would delete ${what}`);
  await ctx.recordEffect({ intent: 'delete', intentAt: ctx.now() });
  try {
    await d.cloud.deleteVolume(id);
  } catch (err) {
    if (isCloudError(err, 'not-found')) return gone(ctx, id);
    if (isCloudError(err, 'in-use'))
      return refuse(ctx, `volume:${id}`, 'storage.volume.delete', `${id} was attached meanwhile: not deleted`);
    throw err;
  }
  await ctx.recordEffect({ outcome: 'deleted', doneAt: ctx.now() });
  const details = { sizeGib: volume.sizeGib, volumeType: volume.volumeType, monthlyCostUsd: cost, note: ctx.job.note };
  await ctx.audit({ action: 'storage.volume.delete', target: `volume:${id}`, result: 'success', details });
  await ctx.log('info', `deleted ${what}`);
  return { status: 'succeeded', message: `deleted, saves $${cost}/month` };
}

/** Deletes a snapshot, after checking it still exists and no image uses it. */
export async function deleteSnapshotStep(d: Deps, ctx: StepContext): Promise<StepOutcome> {
  const id = ctx.step.target;
  const [snapshot] = await d.cloud.describeSnapshots({ ids: [id] });
  if (!snapshot) return gone(ctx, id);
  const users = imagesUsing(await d.cloud.describeImages(), id);
  if (users.length > 0)
    return refuse(ctx, `snapshot:${id}`, 'storage.snapshot.delete', `${id} is used by image ${users.join(', ')} now: not deleted`);
  const cost = snapshotMonthlyCost(d.prices, snapshot.sizeGib);
  const what = `${id} (${snapshot.sizeGib} GiB, up to $${cost}/month)`;
  if (ctx.dryRun) return dry(ctx, `would delete ${what}`);
  await ctx.recordEffect({ intent: 'delete', intentAt: ctx.now() });
  try {
    await d.cloud.deleteSnapshot(id);
  } catch (err) {
    if (isCloudError(err, 'not-found')) return gone(ctx, id);
    if (isCloudError(err, 'in-use'))
      return refuse(ctx, `snapshot:${id}`, 'storage.snapshot.delete', `${id} was registered in an image meanwhile: not deleted`);
    throw err;
  }
  await ctx.recordEffect({ outcome: 'deleted', doneAt: ctx.now() });
  await ctx.audit({
    action: 'storage.snapshot.delete',
    target: `snapshot:${id}`,
    result: 'success',
    details: { sizeGib: snapshot.sizeGib, monthlyCostUsd: cost, note: ctx.job.note },
  });
  await ctx.log('info', `deleted ${what}`);
  return { status: 'succeeded', message: `deleted, saves up to $${cost}/month` };
}

/** Already gone: by an earlier attempt of this step (its intent is recorded) or by someone else. Either way, done. */
async function gone(ctx: StepContext, id: string): Promise<StepOutcome> {
  const ours = ctx.step.effect.intent === 'delete';
  const message = ours ? `${id} is gone: deleted by an earlier attempt of this step` : `${id} no longer exists: nothing to delete`;
  if (!ctx.dryRun) await ctx.recordEffect({ outcome: ours ? 'deleted' : 'already-gone', doneAt: ctx.now() });
  await ctx.log('info', message);
  return { status: 'succeeded', message };
}

/** The world changed since the request: the resource is protected now. Skip it, say so, and record the refusal. */
async function refuse(ctx: StepContext, target: string, action: string, message: string): Promise<StepOutcome> {
  await ctx.log('warn', message);
  if (!ctx.dryRun) {
    await ctx.recordEffect({ outcome: 'refused', doneAt: ctx.now() });
    await ctx.audit({ action, target, result: 'denied', details: { reason: message } });
  }
  return { status: 'skipped', message };
}

async function dry(ctx: StepContext, message: string): Promise<StepOutcome> {
  await ctx.log('info', `dry run: ${message}`);
  return { status: 'skipped', message: `dry run: ${message}` };
}
