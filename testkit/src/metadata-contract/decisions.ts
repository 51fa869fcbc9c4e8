import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DecisionRecord, DecisionRepository, type NewDecision, ScoringModelRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, HOUR, MIN, model, rejection, T0, tag } from './context.ts';

export function describeDecisions(ctx: ContractContext): void {
  const { tenant } = ctx;
  describe('decisions', () => {
    const decisions = () => new DecisionRepository(ctx.store);
    const base = (clientId: string, over: Partial<NewDecision> = {}): NewDecision => ({
      clientId,
      clusterId: 'c1',
      kind: 'replace',
      nodeName: 'node-1',
      instanceId: 'i-0abc',
      fromPool: { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' },
      inputs: { price: 0.031, pods: 12 },
      ...over,
    });

    it('store a decision with its pools, inputs, breakdown and savings, readable by its tenant only', async () => {
      const clientId = await tenant();
      const m = await new ScoringModelRepository(ctx.store).upload({ model: model(`d-${tag()}`), createdBy: 'ops' }, T0);
      const d = await decisions().insert(
        base(clientId, {
          scoreBreakdown: [{ pool: 'm5.large/us-east-1b', score: 0.8 }],
          expectedSavingsPerHour: 0.0125,
          modelId: m.id,
          fromShadow: true,
        }),
        T0,
      );
      expect(d).toMatchObject({
        stage: 'candidate',
        outcome: 'pending',
        inputs: { price: 0.031, pods: 12 },
        expectedSavingsPerHour: 0.0125,
        fromShadow: true,
      });
      expect(d.fromPool).toEqual({ instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' });
      expect(d.toPool).toBeNull();
      expect(await decisions().get(clientId, d.id)).toEqual(d);
      expect(await decisions().get(await tenant(), d.id)).toBeNull();
      const shadowAct = await rejection(decisions().advance(clientId, d.id, { stage: 'approved' }, T0));
      expect([shadowAct.code, shadowAct.sqlState]).toEqual(['constraint', '23514']);
      expect((await rejection(decisions().insert(base(clientId, { clusterId: 'no-such-cluster' }), T0))).code).toBe('constraint');
    });

    it('advance only forward, recording what each stage learned; refuse other tenants', async () => {
      const clientId = await tenant();
      const d = await decisions().insert(base(clientId), T0);
      const toPool = { instanceType: 'm6i.large', availabilityZone: 'us-east-1b', capacityType: 'spot' } as const;
      const scored = await decisions().advance(
        clientId,
        d.id,
        { stage: 'scored', scoreBreakdown: { m6i: 0.9 }, expectedSavingsPerHour: 0.02 },
        T0 + MIN,
      );
      expect(scored).toMatchObject({ stage: 'scored', scoreBreakdown: { m6i: 0.9 }, updatedAt: T0 + MIN });
      const solved = await decisions().advance(clientId, d.id, { stage: 'solved', toPool }, T0 + 2 * MIN);
      expect(solved).toMatchObject({ toPool, expectedSavingsPerHour: 0.02, scoreBreakdown: { m6i: 0.9 } });
      for (const back of ['feasible', 'solved'] as const) {
        expect((await rejection(decisions().advance(clientId, d.id, { stage: back }, T0))).code).toBe('invalid_state');
      }
      expect((await rejection(decisions().advance(await tenant(), d.id, { stage: 'validated' }, T0))).code).toBe('not_found');
      expect((await rejection(decisions().advance(clientId, randomUUID(), { stage: 'validated' }, T0))).code).toBe('not_found');
    });

    it('finish once with an outcome; executed needs the executed stage, then may still be verified and earn savings', async () => {
      const clientId = await tenant();
      const dropped = await decisions().insert(base(clientId), T0);
      expect((await rejection(decisions().finish(clientId, dropped.id, { outcome: 'dropped' }, T0))).code).toBe('invalid_input');
      const ended = await decisions().finish(clientId, dropped.id, { outcome: 'dropped', reason: 'PDB budget exhausted' }, T0 + MIN);
      expect(ended).toMatchObject({ outcome: 'dropped', outcomeReason: 'PDB budget exhausted', finishedAt: T0 + MIN });
      expect((await rejection(decisions().advance(clientId, dropped.id, { stage: 'scored' }, T0))).code).toBe('invalid_state');
      expect((await rejection(decisions().finish(clientId, dropped.id, { outcome: 'failed', reason: 'x' }, T0))).code).toBe(
        'invalid_state',
      );
      expect((await rejection(decisions().recordRealizedSavings(clientId, dropped.id, 1, T0))).code).toBe('invalid_state');

      const run = await decisions().insert(base(clientId, { stage: 'approved' }), T0);
      const early = await rejection(decisions().finish(clientId, run.id, { outcome: 'executed' }, T0));
      expect([early.code, early.message]).toEqual(['invalid_state', expect.stringContaining('has not reached the executed stage')]);
      await decisions().advance(clientId, run.id, { stage: 'executed' }, T0 + MIN);
      await decisions().finish(clientId, run.id, { outcome: 'executed' }, T0 + MIN);
      expect(await decisions().advance(clientId, run.id, { stage: 'verified' }, T0 + HOUR)).toMatchObject({
        stage: 'verified',
        outcome: 'executed',
      });
      expect(await decisions().recordRealizedSavings(clientId, run.id, 3.5, T0 + 5 * HOUR)).toMatchObject({
        realizedSavings: 3.5,
        updatedAt: T0 + 5 * HOUR,
      });
    });

    it('list with tenant, cluster, kind, outcome and time filters; pages are stable under inserts', async () => {
      const clientId = await tenant(['c1', 'c2']);
      const other = await tenant();
      await decisions().insert(base(other), T0);
      const made: DecisionRecord[] = [];
      for (let i = 0; i < 7; i++) {
        // Pairs share a timestamp, so the id must break ties for a stable order.
        made.push(
          await decisions().insert(
            base(clientId, { clusterId: i % 2 ? 'c2' : 'c1', kind: i === 6 ? 'consolidate' : 'replace' }),
            T0 + Math.floor(i / 2) * MIN,
          ),
        );
      }
      await decisions().finish(clientId, (made[0] as DecisionRecord).id, { outcome: 'dropped', reason: 'price moved' }, T0 + HOUR);
      const expected = [...made].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((d) => d.id);

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await decisions().list({ clientId, limit: 3, cursor });
        seen.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor ?? undefined;
        if (pages++ === 0) await decisions().insert(base(clientId), T0 + 10 * HOUR);
      } while (cursor);
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);

      const ids = async (f: Partial<Parameters<DecisionRepository['list']>[0]>) =>
        (await decisions().list({ clientId, limit: 100, ...f })).items.map((d) => d.id).sort();
      const pick = (...is: number[]) => is.map((i) => (made[i] as DecisionRecord).id).sort();
      expect(await ids({ clusterId: 'c2' })).toEqual(pick(1, 3, 5));
      expect(await ids({ kind: 'consolidate' })).toEqual(pick(6));
      expect(await ids({ outcome: 'dropped' })).toEqual(pick(0));
      expect(await ids({ from: T0 + MIN, to: T0 + 3 * MIN })).toEqual(pick(2, 3, 4, 5));
      expect((await decisions().list({ clientId: null, limit: 500 })).items.some((d) => d.clientId === other)).toBe(true);
      expect((await rejection(decisions().list({ clientId, cursor: 'garbage' }))).code).toBe('invalid_input');
    });

    it('count the funnel per stage in a time window: reached, dropped there, and outcomes', async () => {
      const clientId = await tenant();
      const at = async (stage: NewDecision['stage'], when = T0) => decisions().insert(base(clientId, { stage }), when);
      const c1 = await at('candidate');
      await at('feasible');
      const s = await at('scored');
      await at('validated');
      const e = await at('executed');
      await at('verified', T0 - MIN);
      await decisions().insert(base(await tenant(), { stage: 'verified' }), T0);
      await decisions().finish(clientId, c1.id, { outcome: 'dropped', reason: 'no feasible pool' }, T0);
      await decisions().finish(clientId, s.id, { outcome: 'dropped', reason: 'score below threshold' }, T0);
      await decisions().finish(clientId, e.id, { outcome: 'executed' }, T0);

      const f = await decisions().funnel({ clientId, from: T0, to: T0 + HOUR });
      expect(f.total).toBe(5);
      expect(Object.fromEntries(f.stages.map((x) => [x.stage, [x.reached, x.dropped]]))).toEqual({
        candidate: [5, 1],
        feasible: [4, 0],
        scored: [3, 1],
        solved: [2, 0],
        validated: [2, 0],
        approved: [1, 0],
        executed: [1, 0],
        verified: [0, 0],
      });
      expect(f.outcomes).toEqual({ pending: 2, dropped: 2, executed: 1, failed: 0 });
      expect((await decisions().funnel({ clientId, from: T0 - HOUR, to: T0 })).total).toBe(1);
    });
  });
}
