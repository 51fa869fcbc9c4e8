import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './decision-engine.ts';
import { DecisionError } from './decision-error.ts';
import { InMemoryDecisionLog } from './decision-sink.ts';
import { input, MINUTE_MS, node, plan, pools, ref, T0, web, webWorkload } from './test-builders.ts';

const A = ref('m5.xlarge', 'us-east-1a');
const B = ref('m5.xlarge', 'us-east-1b');
const C = ref('c5.xlarge', 'us-east-1c');
const OD_A = ref('m5.xlarge', 'us-east-1a', 'on-demand');

/** Without headroom unless a test asks, so the scenarios count only the pods they show. */
function engine(policies = {}) {
  const log = new InMemoryDecisionLog();
  return { log, engine: new DecisionEngine({ policies: { headroomShare: 0, ...policies }, sink: log }) };
}

describe('provision', () => {
  it('launches for pending pods at once, in the cheapest usable spot pool', () => {
    const { engine: e } = engine({ maxPoolShare: 1 });
    const out = e.step(
      input({
        pending: [{ ...web(10), spotAllowed: true }],
        pools: pools([
          { zone: 'us-east-1a', price: 0.08 },
          { zone: 'us-east-1b', price: 0.06 },
          { zone: 'us-east-1a', capacityType: 'on-demand' },
        ]),
      }),
    );
    expect(out.approved).toHaveLength(1);
    const d = out.approved[0];
    expect(d?.kind).toBe('provision');
    expect(d?.reason).toBe('pending-pods');
    expect(d?.launch).toMatchObject({ poolId: B.poolId, count: 2 });
    expect(d?.stage).toBe('approved');
    // New capacity is measured against the same nodes on-demand.
    expect(d?.expectedSavings.perHourUsd).toBeGreaterThan(0);
  });

  it('spreads new nodes over pools under the share cap', () => {
    const { engine: e } = engine({ maxPoolShare: 0.5 });
    const out = e.step(input({ pending: [{ ...web(28), spotAllowed: true }] }));
    expect(out.approved.map((d) => [d.launch?.poolId, d.launch?.count])).toEqual([
      [A.poolId, 2],
      [B.poolId, 2],
    ]);
  });

  it('buys by cost per pod slot, so a few pending pods of a growing workload do not get a node too small', () => {
    const { engine: e } = engine();
    const out = e.step(
      input({
        pending: [{ ...web(2), spotAllowed: true }],
        pools: pools([
          { type: 'm5.large', vcpu: 2, memoryGib: 8, price: 0.035, onDemand: 0.096 },
          { type: 'm5.xlarge', price: 0.07 },
        ]),
      }),
    );
    // m5.large: 3 pods for 0.035 (0.0117 a pod); m5.xlarge: 7 for 0.07 (0.01 a pod).
    expect(out.approved[0]?.launch).toMatchObject({ instanceType: 'm5.xlarge', count: 1 });
  });

  it('prefers the pool the plan wants more nodes in', () => {
    const { engine: e } = engine();
    const out = e.step(input({ pending: [{ ...web(7), spotAllowed: true }], plan: plan({ [A.poolId]: 1 }) }));
    expect(out.approved[0]?.launch?.poolId).toBe(A.poolId);
  });

  it('falls back to on-demand when no spot pool may take the pods', () => {
    const { engine: e } = engine();
    const out = e.step(
      input({
        pending: [{ ...web(5), spotAllowed: true }],
        pools: pools([
          { zone: 'us-east-1a', interruptions: 6, instanceHours: 50 },
          { zone: 'us-east-1b', launchFailuresMs: [T0 - 30_000] },
          { zone: 'us-east-1a', capacityType: 'on-demand' },
        ]),
      }),
    );
    expect(out.approved[0]).toMatchObject({ kind: 'fallback', reason: 'no-spot-capacity', launch: { poolId: OD_A.poolId } });
  });

  it('launches nothing when the free room and launches under way take the pods', () => {
    const { engine: e } = engine();
    const out = e.step(input({ nodes: [node('n1', A, { ready: false, pods: [] })], pending: [{ ...web(5), spotAllowed: true }] }));
    expect(out.approved).toHaveLength(0);
  });
});

describe('headroom', () => {
  it('keeps spare pod slots: launches when the fleet has less free room than the headroom share', () => {
    const { engine: e } = engine({ headroomShare: 0.1 });
    // 70 pods on ten full nodes: no room for the 7 spare slots.
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`, i % 2 ? A : B));
    const out = e.step(input({ nodes }));
    expect(out.approved).toHaveLength(1);
    expect(out.approved[0]).toMatchObject({ kind: 'provision', reason: 'headroom', launch: { count: 1 } });
  });

  it('lets spot nodes hold the budget plus the spare slots', () => {
    // Budget 7 (10% of 70) + 7 spare slots (10%): a 15-pod node is one too many, a 14-pod one fits.
    const big = { type: 'm5.2xlarge', vcpu: 8, memoryGib: 32, price: 0.1, onDemand: 0.384 };
    const { engine: e } = engine({ headroomShare: 0.1 });
    const out = e.step(input({ pending: [{ ...web(14), spotAllowed: true }], pools: pools([big]) }));
    // 14 pending + 7 spare slots at 14 a node: two nodes.
    expect(out.approved.map((d) => d.launch?.instanceType)).toEqual(['m5.2xlarge', 'm5.2xlarge']);
    expect(out.approved.reduce((n, d) => n + (d.launch?.count ?? 0), 0)).toBe(2);
  });
});

describe('replace on notices and warnings (urgent)', () => {
  it('replaces a node with an interruption notice in another pool, without delay', () => {
    const { engine: e } = engine();
    const out = e.step(input({ nodes: [node('n1', A, { interruptionNoticeAtMs: T0, disrupting: true })] }));
    expect(out.approved).toHaveLength(1);
    expect(out.approved[0]).toMatchObject({ kind: 'replace', reason: 'interruption-notice', urgent: true, nodeIds: ['n1'] });
    expect(out.approved[0]?.launch?.poolId).toBe(B.poolId);
  });

  it('replaces a node on a rebalance recommendation before the notice', () => {
    const { engine: e } = engine();
    const out = e.step(input({ nodes: [node('n1', A, { rebalanceAtMs: T0 })] }));
    expect(out.approved[0]).toMatchObject({ kind: 'replace', reason: 'rebalance-recommendation', launch: { poolId: B.poolId } });
  });

  it('ignores rebalance recommendations when the policy says so', () => {
    const { engine: e } = engine({ replaceOnRebalance: false });
    expect(e.step(input({ nodes: [node('n1', A, { rebalanceAtMs: T0 })] })).approved).toHaveLength(0);
  });
});

describe('fallback', () => {
  const riskyA = () =>
    pools([
      { zone: 'us-east-1a', interruptions: 6, instanceHours: 50 },
      { zone: 'us-east-1b' },
      { zone: 'us-east-1a', capacityType: 'on-demand' },
    ]);

  it('moves a node of a risky pool to on-demand of the same type and zone, after the validation delay', () => {
    const { engine: e } = engine();
    const first = e.step(input({ nodes: [node('n1', A)], pools: riskyA() }));
    expect(first.approved).toHaveLength(0);
    expect(first.proposed[0]).toMatchObject({ kind: 'fallback', reason: 'pool-risk', stage: 'solved', launch: { poolId: OD_A.poolId } });
    expect(first.proposed[0]?.scores.from?.stability.aboveFallbackThreshold).toBe(true);
    const later = e.step(input({ nowMs: T0 + MINUTE_MS, nodes: [node('n1', A)], pools: riskyA() }));
    expect(later.approved[0]).toMatchObject({ kind: 'fallback', stage: 'approved' });
  });

  it('falls back on an override that forbids spot for the type', () => {
    const { engine: e } = engine();
    const out = e.step(input({ nodes: [node('n1', A)], overrides: [{ instanceTypes: ['m5.xlarge'], reason: 'ops' }] }));
    expect(out.proposed[0]).toMatchObject({ kind: 'fallback', reason: 'override' });
  });
});

describe('consolidate', () => {
  it('removes an empty node and an under-used node whose pods fit elsewhere', () => {
    const { engine: e } = engine({ maxConcurrentDisruptions: { share: 1, min: 5 } });
    const nodes = [node('n1', A, { pods: [] }), node('n2', A, { pods: [web(2)] }), node('n3', B, { pods: [web(4)] })];
    const first = e.step(input({ nodes }));
    expect(first.proposed.map((d) => [d.nodeIds[0], d.reason])).toEqual([
      ['n1', 'empty-node'],
      ['n2', 'underutilized'],
    ]);
    expect(first.proposed[1]?.launch).toBeNull();
    const later = e.step(input({ nowMs: T0 + 2 * MINUTE_MS, nodes }));
    expect(later.approved.map((d) => d.nodeIds[0])).toEqual(['n1', 'n2']);
  });

  it('keeps a node whose pods have nowhere else to go', () => {
    const { engine: e } = engine();
    expect(e.step(input({ nodes: [node('n1', A), node('n2', B)] })).proposed).toHaveLength(0);
  });

  it('drops a candidate whose workload budget allows no eviction (pdb-budget)', () => {
    const { log, engine: e } = engine();
    const out = e.step(
      input({ nodes: [node('n1', A, { pods: [web(2)] }), node('n2', B, { pods: [web(4)] })], workloads: [webWorkload({ healthy: 63 })] }),
    );
    expect(out.dropped.map((d) => d.dropped?.reason)).toEqual(['pdb-budget', 'pdb-budget']);
    expect(log.funnel().dropped.feasible?.['pdb-budget']).toBe(2);
    expect(log.funnel().reached).toMatchObject({ candidate: 2, feasible: 0 });
  });
});

describe('replace for a cheaper pool', () => {
  const cheapC = (price = 0.03) =>
    pools([
      { zone: 'us-east-1a', price: 0.07 },
      { type: 'c5.xlarge', zone: 'us-east-1c', vcpu: 4, memoryGib: 8, price, onDemand: 0.17 },
      { zone: 'us-east-1a', capacityType: 'on-demand' },
    ]);

  it('moves a node out of a pool the plan shrank, to the pool the plan grew', () => {
    const { engine: e } = engine();
    const out = e.step(input({ nodes: [node('n1', A)], pools: cheapC(), plan: plan({ [C.poolId]: 1 }) }));
    expect(out.proposed[0]).toMatchObject({ kind: 'replace', reason: 'cheaper-pool', launch: { poolId: C.poolId, count: 1 } });
    expect(out.proposed[0]?.expectedSavings.perHourUsd).toBeCloseTo(0.04, 3);
  });

  it('drops a replacement the plan does not want (solved stage)', () => {
    const { log, engine: e } = engine();
    e.step(input({ nodes: [node('n1', A)], pools: cheapC(), plan: plan({}) }));
    expect(log.funnel().dropped.solved?.['not-in-plan']).toBe(1);
  });

  it('drops a replacement that saves too little (scored stage)', () => {
    const { log, engine: e } = engine();
    e.step(input({ nodes: [node('n1', A)], pools: cheapC(0.061), plan: plan({ [C.poolId]: 1 }) }));
    expect(log.funnel().dropped.scored?.['insufficient-savings']).toBe(1);
  });
});

describe('approval and execution', () => {
  it('waits for a person where the policy asks, then executes and verifies', () => {
    const { log, engine: e } = engine({ requireApproval: ['provision'] });
    const out = e.step(input({ pending: [{ ...web(3), spotAllowed: true }] }));
    expect(out.awaitingApproval).toHaveLength(1);
    const id = out.awaitingApproval[0]?.id as string;
    expect(e.approve(id, T0, 'alice')).toMatchObject({ status: 'approved', approvedBy: 'alice' });
    e.executed(id, T0 + 1000);
    e.verified(id, T0 + 120_000, { perHourUsd: 0.1 });
    expect(log.get(id)).toMatchObject({ status: 'verified', stage: 'verified', realizedSavings: { perHourUsd: 0.1 } });
    expect(e.list()).toHaveLength(0);
  });

  it('records a rejection as a drop and an execution failure by reason', () => {
    const { log, engine: e } = engine({ requireApproval: ['provision'] });
    const id = e.step(input({ pending: [{ ...web(3), spotAllowed: true }] })).awaitingApproval[0]?.id as string;
    e.reject(id, T0, 'bob');
    expect(log.get(id)?.dropped).toMatchObject({ stage: 'approved', reason: 'rejected' });
    const { log: log2, engine: e2 } = engine();
    const id2 = e2.step(input({ pending: [{ ...web(3), spotAllowed: true }] })).approved[0]?.id as string;
    e2.failed(id2, T0, 'InsufficientInstanceCapacity');
    expect(log2.funnel().failed).toEqual({ InsufficientInstanceCapacity: 1 });
  });

  it('refuses transitions a decision is not in the state for', () => {
    const { engine: e } = engine();
    expect(() => e.executed('nope', T0)).toThrow(DecisionError);
    const id = e.step(input({ pending: [{ ...web(3), spotAllowed: true }] })).approved[0]?.id as string;
    expect(() => e.verified(id, T0)).toThrow(/expected executing/);
  });
});
