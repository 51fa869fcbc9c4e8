import { CommandSchema, DrainSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import type { Instance } from '../cloud/cloud-types.ts';
import type { StepContext, StepOutcome } from '../jobs/job-kind.ts';
import { SwitchHistoryRepository } from '../state/repositories/switch-history-repository.ts';
import { CommandError } from './agent-commander.ts';
import { drainPass } from './hub-drain.ts';
import { nodeOfInstance } from './node-lookup.ts';
import { SwitchError } from './switch-error.ts';
import type { SwitchParams } from './switch-params.ts';
import { SWITCH_TAGS, type SwitchDeps } from './switch-ports.ts';

/** Instance states after which there is nothing left to drain or terminate. */
export const GONE = new Set(['shutting-down', 'terminated']);

async function describe(d: SwitchDeps, id: string): Promise<Instance | null> {
  return (await d.cloud.describeInstances({ ids: [id] }))[0] ?? null;
}

/**
 * Launches the replacement. The launch's client token is the job's and step's, so a
 * re-run after a crash — even one between the launch and recording it — gets the instance
 * the first attempt made instead of a second one.
 */
export async function launchStep(d: SwitchDeps, p: SwitchParams, ctx: StepContext): Promise<StepOutcome> {
  const history = new SwitchHistoryRepository(d.store);
  const old = await describe(d, p.instanceId);
  const started = await history.get(ctx.job.id);
  if (!started) {
    if (!old || (GONE.has(old.state) && p.noticeDeadlineMs === null)) {
      return { status: 'skipped', message: `${p.instanceId} is gone: nothing to replace` };
    }
    if (old.tags['ballast.io/tenant'] !== undefined && old.tags['ballast.io/tenant'] !== ctx.job.clientId) {
      throw new SwitchError('cannot-drain', `${p.instanceId} belongs to another client`);
    }
    const what = `${p.to.capacityType} ${p.to.instanceType} in ${p.to.zone}`;
    if (ctx.dryRun) {
      await ctx.log('info', `dry run: would replace ${p.instanceId} (${old.capacityType} ${old.instanceType}) by ${what}`);
      return { status: 'skipped', message: 'dry run' };
    }
    await history.begin({
      jobId: ctx.job.id,
      clientId: ctx.job.clientId,
      clusterId: p.clusterId,
      instanceId: p.instanceId,
      from: { instanceType: old.instanceType, zone: old.zone, capacityType: old.capacityType },
      to: p.to,
      reason: p.reason,
      savingsPerHour: p.savingsPerHour,
      decisionId: p.decisionId,
      startedAt: ctx.now(),
    });
  }
  if (ctx.dryRun) return { status: 'skipped', message: 'dry run' };
  const imageId = (old?.imageId || ctx.step.effect.imageId) as string | undefined;
  if (!imageId) throw new SwitchError('cannot-drain', `${p.instanceId} is gone and no image was recorded: cannot launch its replacement`);
  await ctx.recordEffect({ intent: 'launch', imageId, clientToken: ctx.clientToken() });
  const replacement = await d.cloud.launch({
    instanceType: p.to.instanceType,
    zone: p.to.zone,
    capacityType: p.to.capacityType,
    imageId,
    tenant: ctx.job.clientId,
    cluster: p.clusterId,
    decisionId: p.decisionId ?? ctx.job.id,
    clientToken: ctx.clientToken(),
    tags: {
      [SWITCH_TAGS.job]: ctx.job.id,
      [SWITCH_TAGS.replaces]: p.instanceId,
      ...(p.forcedBy ? { [SWITCH_TAGS.forcedBy]: p.forcedBy } : {}),
    },
  });
  await history.setReplacement(ctx.job.id, replacement.id);
  const repeat = ctx.step.effect.replacementId === replacement.id;
  await ctx.recordEffect({ replacementId: replacement.id, launchedAt: ctx.now() });
  if (!repeat) {
    await ctx.audit({
      action: 'switch.launch',
      target: `instance:${replacement.id}`,
      result: 'success',
      details: { replaces: p.instanceId, pool: p.to, reason: p.reason, clusterId: p.clusterId },
    });
  }
  await ctx.log(
    'info',
    `launched ${replacement.id} (${p.to.capacityType} ${p.to.instanceType} in ${p.to.zone}) to replace ${p.instanceId}`,
  );
  return { status: 'succeeded', message: `replacement ${replacement.id}` };
}

/**
 * Waits until the replacement is a Ready node. When it is not by the deadline, rolls the
 * switch back: the replacement is terminated and the old node, never touched before this
 * step, stays as it is. In an interruption the old node is going anyway: no roll-back.
 */
export async function waitReadyStep(d: SwitchDeps, p: SwitchParams, ctx: StepContext): Promise<StepOutcome> {
  const history = new SwitchHistoryRepository(d.store);
  const h = await history.get(ctx.job.id);
  if (!h?.replacementId) return { status: 'skipped', message: 'no replacement was launched' };
  const deadline = typeof ctx.step.effect.deadlineAt === 'number' ? ctx.step.effect.deadlineAt : ctx.now() + d.timings.readyTimeoutMs;
  if (ctx.step.effect.deadlineAt === undefined) await ctx.recordEffect({ deadlineAt: deadline });
  const api = d.clusters(ctx.job.clientId, p.clusterId);
  let ready: boolean;
  let nodeName: string | null = null;
  if (api) {
    const node = await nodeOfInstance(api, h.replacementId);
    ready = node?.ready === true;
    nodeName = node?.name ?? null;
  } else {
    // Without access to the cluster, EC2's running state is the best sign there is.
    ready = (await describe(d, h.replacementId))?.state === 'running';
  }
  if (ready) {
    await ctx.recordEffect({ readyAt: ctx.now(), ...(nodeName ? { nodeName } : {}) });
    return { status: 'succeeded', message: `${nodeName ?? h.replacementId} is Ready` };
  }
  if (ctx.now() < deadline)
    return { status: 'wait', afterMs: d.timings.pollMs, message: `waiting for ${h.replacementId} to be a Ready node` };
  if (p.noticeDeadlineMs !== null) {
    await ctx.log('warn', `${h.replacementId} is not Ready yet; the interrupted node goes anyway`);
    return { status: 'succeeded', message: 'not Ready by the deadline (interruption: no roll-back)' };
  }
  await ctx.recordEffect({ intent: 'roll-back' });
  await d.cloud.terminate([h.replacementId]);
  await history.finish(ctx.job.id, 'rolled-back', ctx.now());
  await ctx.audit({
    action: 'switch.rollback',
    target: `instance:${h.replacementId}`,
    result: 'success',
    details: { replaces: p.instanceId, why: `not a Ready node within ${d.timings.readyTimeoutMs} ms` },
  });
  const message = `rolled back: ${h.replacementId} was not a Ready node within ${d.timings.readyTimeoutMs} ms; it is terminated and ${p.instanceId} is untouched`;
  await ctx.log('warn', message);
  throw new SwitchError('rolled-back', message);
}

/**
 * Drains the old node: through its agent when one is connected (the agent's PDB-aware
 * drain), else from the hub through the cluster's eviction API, one pass per run of the
 * step. Done when nothing is left, or when the deadline (the notice's, or the drain
 * timeout) passes — the instance is going then anyway.
 */
export async function drainStep(d: SwitchDeps, p: SwitchParams, ctx: StepContext): Promise<StepOutcome> {
  const h = await new SwitchHistoryRepository(d.store).get(ctx.job.id);
  if (!h) return { status: 'skipped', message: 'nothing was launched: the old node is left alone' };
  const deadline =
    typeof ctx.step.effect.deadlineAt === 'number'
      ? ctx.step.effect.deadlineAt
      : Math.min(p.noticeDeadlineMs ?? Number.POSITIVE_INFINITY, ctx.now() + d.timings.drainTimeoutMs);
  const old = await describe(d, p.instanceId);
  if (!old || GONE.has(old.state)) return { status: 'succeeded', message: `${p.instanceId} is already gone` };
  const api = d.clusters(ctx.job.clientId, p.clusterId);
  const node =
    (typeof ctx.step.effect.node === 'string' ? ctx.step.effect.node : null) ??
    (api ? (await nodeOfInstance(api, p.instanceId))?.name : null) ??
    old.privateDnsName;
  if (!node) throw new SwitchError('cannot-drain', `no node name for ${p.instanceId}`);
  if (ctx.step.effect.deadlineAt === undefined) await ctx.recordEffect({ deadlineAt: deadline, node });
  const agent = { tenant: ctx.job.clientId, cluster: p.clusterId, node };
  const late = () => ctx.now() >= deadline;
  if (d.commander?.reachable(agent)) {
    // A new id per attempt: after a hub restart the agent must drain again, not answer "already received".
    const id = `${ctx.clientToken()}-a${ctx.step.attempts}`;
    const command = create(CommandSchema, {
      id,
      kind: { case: 'drain', value: create(DrainSchema, { deadlineMs: BigInt(Math.floor(Math.min(deadline, 8.64e15))) }) },
    });
    await ctx.recordEffect({ via: 'agent', commandId: id });
    try {
      const answer = await d.commander.send(
        agent,
        command,
        Math.max(1_000, Math.min(deadline, ctx.now() + d.timings.drainTimeoutMs) - ctx.now()) + 30_000,
      );
      if (answer.ok) {
        await ctx.audit({
          action: 'switch.drain',
          target: `node:${node}`,
          result: 'success',
          details: { via: 'agent', answer: answer.message },
        });
        return { status: 'succeeded', message: `agent drained ${node}: ${answer.message}` };
      }
      await ctx.log('warn', `agent could not drain ${node}: ${answer.message}`);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      await ctx.log('warn', `drain command to ${node}: ${err.message}`);
    }
    if (late()) return passDeadline(ctx, node);
    return { status: 'wait', afterMs: d.timings.pollMs };
  }
  if (!api) {
    if (late() || p.noticeDeadlineMs !== null) return passDeadline(ctx, node);
    throw new SwitchError(
      'cannot-drain',
      `${node} has no agent connected and the hub has no access to cluster ${p.clusterId}: not drained, not terminated`,
    );
  }
  const pass = await drainPass(api, node);
  await ctx.recordEffect({ via: 'hub', evicted: Number(ctx.step.effect.evicted ?? 0) + pass.evicted });
  if (pass.remaining === 0) {
    await ctx.audit({ action: 'switch.drain', target: `node:${node}`, result: 'success', details: { via: 'hub', evicted: pass.evicted } });
    return { status: 'succeeded', message: `drained ${node} through the eviction API` };
  }
  if (late()) return passDeadline(ctx, node);
  const why = pass.blockedBy.length > 0 ? `; budgets ${pass.blockedBy.join(', ')} hold ${pass.blocked}` : '';
  return { status: 'wait', afterMs: d.timings.pollMs, message: `${pass.remaining} pod(s) left on ${node}${why}` };
}

async function passDeadline(ctx: StepContext, node: string): Promise<StepOutcome> {
  const message = `the drain deadline passed with pods left on ${node}; terminating anyway`;
  await ctx.log('warn', message);
  await ctx.audit({ action: 'switch.drain', target: `node:${node}`, result: 'failure', details: { reason: message } });
  return { status: 'succeeded', message };
}

/** Terminates the old instance (idempotent) and closes the switch's history row. */
export async function terminateOldStep(d: SwitchDeps, p: SwitchParams, ctx: StepContext): Promise<StepOutcome> {
  const history = new SwitchHistoryRepository(d.store);
  const h = await history.get(ctx.job.id);
  if (!h?.replacementId) return { status: 'skipped', message: 'nothing was launched: the old instance stays' };
  await ctx.recordEffect({ intent: 'terminate' });
  const [r] = await d.cloud.terminate([p.instanceId]);
  await history.finish(ctx.job.id, 'switched', ctx.now());
  if (r?.previousState && !GONE.has(r.previousState)) {
    await ctx.audit({
      action: 'switch.terminate',
      target: `instance:${p.instanceId}`,
      result: 'success',
      details: { replacement: h.replacementId, savingsPerHour: p.savingsPerHour },
    });
  }
  return { status: 'succeeded', message: `${p.instanceId} terminated; ${h.replacementId} replaces it` };
}
