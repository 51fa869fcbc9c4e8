import type { Instance } from '../cloud/cloud-types.ts';
import type { JobKind, StepContext, StepOutcome } from '../jobs/job-kind.ts';
import type { NewStep } from '../state/repositories/job-types.ts';
import type { PoolRef } from '../state/repositories/switch-history-repository.ts';
import { type ChildJobs, derivedUuid, FINAL } from './child-jobs.ts';
import { SWITCH_KIND } from './switch-params.ts';
import type { SwitchCloud } from './switch-ports.ts';

/** Where one instance goes, or why it stays. */
export type MoveTarget = { to: PoolRef; clientId: string; clusterId: string; reason: string; forcedBy: string | null } | { skip: string };

/**
 * A move of many nodes (force on-demand, kill switch, revert to spot) as one parent job:
 * one `start-switch` step per instance, which starts its child switch job once fewer than
 * `maxParallel` of the parent's children are unfinished (the disruption budget of the
 * move; each drain also honours the workloads' PDBs), then `await-switches` until every
 * child has ended. Progress counts the switches started, then the wait.
 */
export interface FleetMoveSpec<P> {
  name: string;
  parseParams(raw: unknown): P;
  approvalAction(p: P): string | null;
  summary(p: P): string;
  /** The instances concerned, read once when the job is created. */
  select(p: P): Promise<Instance[]>;
  /** Asked again right before each switch starts (the world may have moved): where it goes, or why not. */
  target(p: P, instance: Instance): Promise<MoveTarget>;
  maxParallel(p: P): number;
  /** A step before the switches (the kill switch's flag). */
  first?: { name: string; run(p: P, ctx: StepContext): Promise<StepOutcome> };
}

export interface FleetMoveDeps {
  cloud: SwitchCloud;
  children: ChildJobs;
  pollMs: number;
}

const LIVE: Instance['state'][] = ['pending', 'running'];

export function fleetMoveKind<P>(spec: FleetMoveSpec<P>, d: FleetMoveDeps): JobKind<P> {
  return {
    name: spec.name,
    parseParams: spec.parseParams,
    approvalAction: spec.approvalAction,
    summary: spec.summary,
    plan: async (p) => {
      const instances = (await spec.select(p)).filter((i) => LIVE.includes(i.state)).sort((a, b) => a.id.localeCompare(b.id));
      const steps: NewStep[] = spec.first ? [{ name: spec.first.name, target: spec.name }] : [];
      for (const i of instances) steps.push({ name: 'start-switch', target: i.id });
      steps.push({ name: 'await-switches', target: `${instances.length} instance(s)` });
      return steps;
    },
    runStep: (p, ctx) => {
      if (spec.first && ctx.step.name === spec.first.name) return spec.first.run(p, ctx);
      if (ctx.step.name === 'start-switch') return startSwitch(spec, d, p, ctx);
      if (ctx.step.name === 'await-switches') return awaitSwitches(d, ctx);
      throw new Error(`${spec.name} has no step ${ctx.step.name}`);
    },
  };
}

async function startSwitch<P>(spec: FleetMoveSpec<P>, d: FleetMoveDeps, p: P, ctx: StepContext): Promise<StepOutcome> {
  const childId = derivedUuid(`${ctx.job.id}/${ctx.step.seq}`);
  const children = await d.children.list(ctx.job.id);
  if (children.some((c) => c.id === childId)) return { status: 'succeeded', message: `switch job ${childId} started` };
  const instance = (await d.cloud.describeInstances({ ids: [ctx.step.target] }))[0];
  if (!instance || !LIVE.includes(instance.state)) return { status: 'skipped', message: `${ctx.step.target} is gone` };
  const t = await spec.target(p, instance);
  if ('skip' in t) {
    await ctx.log('info', `${instance.id} stays: ${t.skip}`);
    return { status: 'skipped', message: t.skip };
  }
  const what = `${instance.id} → ${t.to.capacityType} ${t.to.instanceType} in ${t.to.zone}`;
  if (ctx.dryRun) {
    await ctx.log('info', `dry run: would switch ${what}`);
    return { status: 'skipped', message: `dry run: would switch ${what}` };
  }
  const inFlight = children.filter((c) => !FINAL.has(c.status)).length;
  const budget = spec.maxParallel(p);
  if (inFlight >= budget)
    return { status: 'wait', afterMs: d.pollMs, message: `${inFlight} switch(es) running, budget ${budget}: ${instance.id} waits` };
  const { job } = await d.children.ensure(ctx.job, ctx.step.seq, {
    clientId: t.clientId,
    kind: SWITCH_KIND,
    params: { clusterId: t.clusterId, instanceId: instance.id, to: t.to, reason: t.reason, forcedBy: t.forcedBy },
  });
  await ctx.recordEffect({ childJobId: job.id });
  await ctx.log('info', `switch job ${job.id}: ${what}`);
  return { status: 'succeeded', message: `switch job ${job.id} started` };
}

async function awaitSwitches(d: FleetMoveDeps, ctx: StepContext): Promise<StepOutcome> {
  const children = await d.children.list(ctx.job.id);
  const open = children.filter((c) => !FINAL.has(c.status));
  if (open.length > 0)
    return { status: 'wait', afterMs: d.pollMs, message: `${open.length} of ${children.length} switch(es) still running` };
  const failed = children.filter((c) => c.status !== 'succeeded');
  await ctx.recordEffect({ switched: children.length - failed.length, failed: failed.map((c) => c.id) });
  if (failed.length > 0)
    throw new Error(
      `${failed.length} of ${children.length} switch(es) did not succeed: ${failed.map((c) => `${c.target} (job ${c.id}, ${c.status})`).join(', ')}`,
    );
  return { status: 'succeeded', message: `${children.length} switch(es) done` };
}
