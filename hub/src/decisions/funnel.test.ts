import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './decision-engine.ts';
import { InMemoryDecisionLog } from './decision-sink.ts';
import { addFunnels, emptyFunnel } from './funnel.ts';
import { input, MINUTE_MS, node, ref, T0, web, webWorkload } from './test-builders.ts';

const A = ref('m5.xlarge', 'us-east-1a');
const B = ref('m5.xlarge', 'us-east-1b');

describe('funnel counts', () => {
  it('counts each stage reached and each drop by stage and reason', () => {
    const log = new InMemoryDecisionLog();
    const e = new DecisionEngine({ sink: log, policies: { headroomShare: 0, maxConcurrentDisruptions: { share: 0, min: 1 } } });
    // Cycle 1: pods wait, so a provision (approved at once) and no consolidation.
    const nodes = [
      node('n1', A, { pods: [] }),
      node('n2', A, { pods: [web(1)] }),
      node('n3', B, { pods: [web(5)] }),
      node('n4', B, { pods: [web(1)] }),
    ];
    const c1 = e.step(input({ nodes, pending: [{ ...web(25), spotAllowed: true }] }));
    expect(c1.approved.map((d) => d.kind)).toEqual(['provision']);
    // Pending pods hold consolidation back; without them, the empty n1 goes (it disrupts nothing),
    // n2 takes the one voluntary disruption allowed, and n4 and n3 hit the limit.
    const c2 = e.step(input({ nowMs: T0 + MINUTE_MS, nodes }));
    expect(c2.proposed.map((d) => d.nodeIds[0])).toEqual(['n1', 'n2']);
    expect(c2.dropped.map((d) => [d.nodeIds[0], d.dropped?.reason])).toEqual([
      ['n4', 'concurrency-limit'],
      ['n3', 'concurrency-limit'],
    ]);
    // Cycle 3: the consolidation is validated; the provision is executed and verified.
    const c3 = e.step(input({ nowMs: T0 + 3 * MINUTE_MS, nodes, workloads: [webWorkload()] }));
    expect(c3.approved.map((d) => d.kind)).toEqual(['consolidate', 'consolidate']);
    const provision = c1.approved[0]?.id as string;
    e.executed(provision, T0 + 3 * MINUTE_MS);
    e.verified(provision, T0 + 5 * MINUTE_MS);
    const f = log.funnel();
    expect(f.reached).toEqual({
      candidate: 5,
      feasible: 3,
      scored: 3,
      solved: 3,
      validated: 3,
      approved: 3,
      executed: 1,
      verified: 1,
    });
    expect(f.dropped).toEqual({ feasible: { 'concurrency-limit': 2 } });
    expect(f.inProgress).toBe(2);
    expect(log.funnel({ kind: 'provision' }).reached.verified).toBe(1);
    expect(log.list({ kind: 'consolidate', status: 'approved' })).toHaveLength(2);
  });

  it('adds funnels stage by stage', () => {
    const a = emptyFunnel();
    a.reached.candidate = 2;
    a.dropped.feasible = { 'pdb-budget': 1 };
    const b = emptyFunnel();
    b.reached.candidate = 1;
    b.dropped.feasible = { 'pdb-budget': 2, 'node-busy': 1 };
    b.failed = { x: 1 };
    const sum = addFunnels(a, b);
    expect(sum.reached.candidate).toBe(3);
    expect(sum.dropped.feasible).toEqual({ 'pdb-budget': 3, 'node-busy': 1 });
    expect(sum.failed).toEqual({ x: 1 });
  });
});
