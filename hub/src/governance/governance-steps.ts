import type { StepContext, StepOutcome } from '../jobs/job-kind.ts';
import {
  type GovernanceCloud,
  HOURS_PER_MONTH,
  type HourlyPrice,
  IGNORED_TAG,
  type KnownFleetSource,
  protectionOf,
} from './unregistered-instances.ts';

interface Deps {
  cloud: GovernanceCloud;
  knownFleet: KnownFleetSource;
  hourlyPrice: HourlyPrice;
}

const GONE = new Set(['shutting-down', 'terminated']);

/**
 * Terminates one unregistered instance. Looks first: one already terminating (by an
 * earlier attempt of this step, or anyone) is done without another call; one that became
 * a node of a known cluster since the request is left alone.
 */
export async function terminateStep(d: Deps, ctx: StepContext): Promise<StepOutcome> {
  const id = ctx.step.target;
  const [instance] = await d.cloud.describeInstances({ ids: [id] });
  if (!instance || GONE.has(instance.state)) {
    const ours = ctx.step.effect.intent === 'terminate';
    const message = `${id} is ${instance?.state ?? 'gone'}${ours ? ': terminated by an earlier attempt of this step' : ''}`;
    if (!ctx.dryRun) await ctx.recordEffect({ outcome: ours ? 'terminated' : 'already-gone', doneAt: ctx.now() });
    await ctx.log('info', message);
    return { status: 'succeeded', message };
  }
  const refusal = protectionOf(instance, await d.knownFleet());
  if (refusal) return refuse(ctx, id, 'governance.instance.terminate', `${id} ${refusal} now: not terminated`);
  const hourly = d.hourlyPrice(instance);
  const cost = hourly === null ? 'cost unknown' : `$${hourly}/hour, $${Math.round(hourly * HOURS_PER_MONTH * 100) / 100}/month`;
  const what = `${id} (${instance.instanceType} in ${instance.zone}, ${cost})`;
  if (ctx.dryRun) {
    await ctx.log('info', `dry run: would terminate ${what}`);
    return { status: 'skipped', message: `dry run: would terminate ${what}` };
  }
  await ctx.recordEffect({ intent: 'terminate', intentAt: ctx.now() });
  const [result] = await d.cloud.terminate([id]);
  await ctx.recordEffect({ outcome: 'terminated', previousState: result?.previousState ?? null, doneAt: ctx.now() });
  await ctx.audit({
    action: 'governance.instance.terminate',
    target: `instance:${id}`,
    result: 'success',
    details: { instanceType: instance.instanceType, zone: instance.zone, hourlyCostUsd: hourly, note: ctx.job.note },
  });
  await ctx.log('info', `terminated ${what}`);
  return { status: 'succeeded', message: `terminated (${cost})` };
}

/** Tags one unregistered instance as ignored; tagging is idempotent, and a tagged one needs no call. */
export async function tagIgnoredStep(d: Deps, ctx: StepContext): Promise<StepOutcome> {
  const id = ctx.step.target;
  const [instance] = await d.cloud.describeInstances({ ids: [id] });
  if (!instance || GONE.has(instance.state)) return { status: 'skipped', message: `${id} is ${instance?.state ?? 'gone'}: nothing to tag` };
  if (instance.tags[IGNORED_TAG.key] === IGNORED_TAG.value) return { status: 'succeeded', message: `${id} is already tagged ignored` };
  const refusal = protectionOf(instance, await d.knownFleet());
  if (refusal) return refuse(ctx, id, 'governance.instance.tag-ignored', `${id} ${refusal} now: not tagged`);
  if (ctx.dryRun) {
    await ctx.log('info', `dry run: would tag ${id} ${IGNORED_TAG.key}=${IGNORED_TAG.value}`);
    return { status: 'skipped', message: 'dry run' };
  }
  await d.cloud.createTags([id], { [IGNORED_TAG.key]: IGNORED_TAG.value });
  await ctx.audit({
    action: 'governance.instance.tag-ignored',
    target: `instance:${id}`,
    result: 'success',
    details: { note: ctx.job.note },
  });
  await ctx.log('info', `tagged ${id} ${IGNORED_TAG.key}=${IGNORED_TAG.value}`);
  return { status: 'succeeded', message: 'tagged ignored' };
}

async function refuse(ctx: StepContext, id: string, action: string, message: string): Promise<StepOutcome> {
  await ctx.log('warn', message);
  if (!ctx.dryRun) {
    await ctx.recordEffect({ outcome: 'refused', doneAt: ctx.now() });
    await ctx.audit({ action, target: `instance:${id}`, result: 'denied', details: { reason: message } });
  }
  return { status: 'skipped', message };
}
