import { type Command, CommandResultSchema, CommandSchema } from '@ballast/proto';
import { ManualClock } from '@ballast/sim';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import type { AgentAddress, CommandResultListener } from '../src/ingest/agent-registry.ts';
import { JobError } from '../src/jobs/job-error.ts';
import { CommandError } from '../src/switches/agent-commander.ts';
import { derivedUuid } from '../src/switches/child-jobs.ts';
import { CorrelatedCommander } from '../src/switches/correlated-commander.ts';
import { parseSwitchParams } from '../src/switches/switch-params.ts';

// Pure logic of the switch parts: answer matching, parameters, derived ids.
function rig() {
  const listeners = new Set<CommandResultListener>();
  const sent: Array<[AgentAddress, Command]> = [];
  const clock = new ManualClock(0);
  const commander = new CorrelatedCommander(
    {
      onCommandResult: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    (a, c) => {
      sent.push([a, c]);
      return true;
    },
    (a) => a.node !== 'gone',
    clock,
  );
  const answer = (a: AgentAddress, r: { commandId: string; ok: boolean; message?: string }) => {
    for (const l of listeners) l(a, create(CommandResultSchema, r));
  };
  return { commander, sent, clock, answer, listeners };
}
const a1 = { tenant: 't', cluster: 'c', node: 'n1' };
const a2 = { tenant: 't', cluster: 'c', node: 'n2' };
const cordon = (id: string) => create(CommandSchema, { id, kind: { case: 'cordon', value: {} } });

describe('CorrelatedCommander', () => {
  it('resolves with the answer of the agent it sent to, never another agent answering the same id', async () => {
    const r = rig();
    const p = r.commander.send(a1, cordon('c1'), 1_000);
    r.answer(a2, { commandId: 'c1', ok: true, message: 'not me' });
    r.answer(a1, { commandId: 'c1', ok: false, message: 'no kube access' });
    expect(await p).toEqual({ commandId: 'c1', ok: false, message: 'no kube access' });
    expect(r.sent.map(([a, c]) => [a.node, c.id])).toEqual([['n1', 'c1']]);
  });

  it('refuses a second wait on the same id, an unreachable agent, and rejects what waits when closed', async () => {
    const r = rig();
    const p = r.commander.send(a1, cordon('c1'), 1_000).catch((e: unknown) => e);
    await expect(r.commander.send(a1, cordon('c1'), 1_000)).rejects.toBeInstanceOf(CommandError);
    await expect(r.commander.send({ ...a1, node: 'gone' }, cordon('c2'), 1_000)).rejects.toMatchObject({ code: 'not-connected' });
    r.commander.close();
    expect(((await p) as CommandError).code).toBe('closed');
    expect(r.listeners.size).toBe(0);
    expect(r.sent).toHaveLength(1);
  });

  it('times out on its clock and then ignores the late answer', async () => {
    const r = rig();
    const p = r.commander.send(a1, cordon('c1'), 1_000).catch((e: unknown) => e);
    await r.clock.advance(999);
    r.answer(a1, { commandId: 'other', ok: true });
    await r.clock.advance(1);
    expect(((await p) as CommandError).code).toBe('timeout');
    r.answer(a1, { commandId: 'c1', ok: true });
    // A new wait on the id works again after the timeout.
    const again = r.commander.send(a1, cordon('c1'), 1_000);
    r.answer(a1, { commandId: 'c1', ok: true, message: 'done' });
    expect((await again).message).toBe('done');
  });
});

describe('switch parameters', () => {
  const ok = {
    clusterId: 'prod',
    instanceId: 'i-0123456789abcdef0',
    to: { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot' },
    reason: 'r',
  };
  it('fills the optional fields with null', () => {
    expect(parseSwitchParams(ok)).toEqual({
      ...ok,
      savingsPerHour: null,
      decisionId: null,
      noticeDeadlineMs: null,
      parentJobId: null,
      forcedBy: null,
    });
  });
  it.each([
    [{ ...ok, instanceId: 'i-zz' }, 'instanceId'],
    [{ ...ok, to: { ...ok.to, capacityType: 'reserved' } }, 'to.capacityType'],
    [{ ...ok, to: { ...ok.to, zone: 'moon' } }, 'to.zone'],
    [{ ...ok, reason: ' ' }, 'reason'],
    [{ ...ok, savingsPerHour: '1' }, 'savingsPerHour'],
    [{ ...ok, parentJobId: 'x' }, 'parentJobId'],
  ])('names the bad field %#', (raw, field) => {
    const err = (() => {
      try {
        parseSwitchParams(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).field).toBe(field);
  });
});

describe('derivedUuid', () => {
  it('is a stable, well-formed uuid per name', () => {
    const id = derivedUuid('job/1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid('job/1')).toBe(id);
    expect(derivedUuid('job/2')).not.toBe(id);
  });
});
