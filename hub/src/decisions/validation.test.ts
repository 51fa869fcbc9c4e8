import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './decision-engine.ts';
import { InMemoryDecisionLog } from './decision-sink.ts';
import type { EngineInput } from './engine-input.ts';
import { input, MINUTE_MS, node, plan, pools, ref, T0, web, webWorkload } from './test-builders.ts';

/**
 * Validation: a decision waits its delay, then is re-checked against fresh prices and
 * cluster state; when its premise no longer holds it is dropped, counted under
 * dropped.validated with the reason, and never reaches the executor.
 */
const A = ref('m5.xlarge', 'us-east-1a');
const B = ref('m5.xlarge', 'us-east-1b');
const C = ref('c5.xlarge', 'us-east-1c');

function run(first: EngineInput, later: EngineInput) {
  const log = new InMemoryDecisionLog();
  const e = new DecisionEngine({ sink: log, policies: { headroomShare: 0 } });
  const proposed = e.step(first).proposed;
  const out = e.step(later);
  return { log, proposed, out };
}

function cPools(cPrice: number) {
  return pools([
    { zone: 'us-east-1a', price: 0.07 },
    { type: 'c5.xlarge', zone: 'us-east-1c', vcpu: 4, memoryGib: 8, price: cPrice, onDemand: 0.17 },
    { zone: 'us-east-1a', capacityType: 'on-demand' },
  ]);
}

function expectDropped(log: InMemoryDecisionLog, reason: string) {
  const f = log.funnel();
  expect(f.dropped.validated).toEqual({ [reason]: 1 });
  expect(f.reached.solved).toBe(1);
  expect(f.reached.validated).toBe(0);
}

describe('validation re-check', () => {
  it('drops a fallback whose pool calmed down before the delay was over (risk-changed)', () => {
    const risky = pools([
      { zone: 'us-east-1a', interruptions: 6, instanceHours: 50 },
      { zone: 'us-east-1b' },
      { capacityType: 'on-demand' },
    ]);
    const calm = pools([{ zone: 'us-east-1a', instanceHours: 5000 }, { zone: 'us-east-1b' }, { capacityType: 'on-demand' }]);
    const { log, proposed, out } = run(
      input({ nodes: [node('n1', A)], pools: risky }),
      input({ nowMs: T0 + MINUTE_MS, nodes: [node('n1', A)], pools: calm }),
    );
    expect(proposed[0]?.kind).toBe('fallback');
    expect(out.approved).toHaveLength(0);
    expect(out.dropped[0]?.dropped).toMatchObject({ stage: 'validated', reason: 'risk-changed' });
    expectDropped(log, 'risk-changed');
  });

  it('drops a replacement whose target became dearer than the tolerance (price-changed)', () => {
    const nodes = [node('n1', A)];
    const { log, out } = run(
      input({ nodes, pools: cPools(0.03), plan: plan({ [C.poolId]: 1 }) }),
      input({ nowMs: T0 + 2 * MINUTE_MS, nodes, pools: cPools(0.0325), plan: plan({ [C.poolId]: 1 }) }),
    );
    expect(out.approved).toHaveLength(0);
    expectDropped(log, 'price-changed');
  });

  it('drops a replacement whose saving shrank below the threshold as the node got cheaper (price-changed)', () => {
    const { log } = run(
      input({ nodes: [node('n1', A)], pools: cPools(0.03), plan: plan({ [C.poolId]: 1 }) }),
      input({
        nowMs: T0 + 2 * MINUTE_MS,
        nodes: [node('n1', A, { pricePerHour: 0.034 })],
        pools: cPools(0.03),
        plan: plan({ [C.poolId]: 1 }),
      }),
    );
    expectDropped(log, 'price-changed');
  });

  it('drops a replacement whose target turned risky (target-unavailable)', () => {
    const riskyC = pools([
      { zone: 'us-east-1a', price: 0.07 },
      { type: 'c5.xlarge', zone: 'us-east-1c', vcpu: 4, memoryGib: 8, price: 0.03, onDemand: 0.17, interruptions: 6, instanceHours: 50 },
      { zone: 'us-east-1a', capacityType: 'on-demand' },
    ]);
    const { log } = run(
      input({ nodes: [node('n1', A)], pools: cPools(0.03), plan: plan({ [C.poolId]: 1 }) }),
      input({ nowMs: T0 + 2 * MINUTE_MS, nodes: [node('n1', A)], pools: riskyC, plan: plan({ [C.poolId]: 1 }) }),
    );
    expectDropped(log, 'target-unavailable');
  });

  it('drops a consolidation once the node is busier or the others fill up (utilization-changed)', () => {
    const before = [node('n1', A, { pods: [web(2)] }), node('n2', B, { pods: [web(5)] })];
    const after = [node('n1', A, { pods: [web(2)] }), node('n2', B, { pods: [web(7)] })];
    const { log, proposed } = run(input({ nodes: before }), input({ nowMs: T0 + 2 * MINUTE_MS, nodes: after }));
    expect(proposed.map((d) => d.nodeIds[0])).toEqual(['n1']);
    expectDropped(log, 'utilization-changed');
  });

  it('drops a decision whose node is gone or was interrupted meanwhile (node-gone)', () => {
    const nodes = [node('n1', A, { pods: [] }), node('n2', B)];
    const { log } = run(
      input({ nodes }),
      input({ nowMs: T0 + 2 * MINUTE_MS, nodes: [node('n1', A, { pods: [], interruptionNoticeAtMs: T0 + MINUTE_MS }), node('n2', B)] }),
    );
    expectDropped(log, 'node-gone');
  });

  it('drops a consolidation when the budget is spent by the time it is due (pdb-budget)', () => {
    const nodes = [node('n1', A, { pods: [web(2)] }), node('n2', B, { pods: [web(5)] })];
    const { log } = run(input({ nodes }), input({ nowMs: T0 + 2 * MINUTE_MS, nodes, workloads: [webWorkload({ healthy: 63 })] }));
    expectDropped(log, 'pdb-budget');
  });

  it('lets a decision through when its premise still holds, and not before its delay', () => {
    const nodes = [node('n1', A, { pods: [] }), node('n2', B)];
    const log = new InMemoryDecisionLog();
    const e = new DecisionEngine({ sink: log, policies: { headroomShare: 0 } });
    e.step(input({ nodes }));
    expect(e.step(input({ nowMs: T0 + MINUTE_MS, nodes })).approved).toHaveLength(0);
    expect(e.step(input({ nowMs: T0 + 2 * MINUTE_MS, nodes })).approved.map((d) => d.kind)).toEqual(['consolidate']);
    expect(log.funnel().reached).toMatchObject({ solved: 1, validated: 1, approved: 1 });
  });
});
