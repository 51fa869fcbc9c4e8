import { describe, expect, it } from 'vitest';
import { decisionPolicies } from './decision-policies.ts';
import type { Decision } from './decision-types.ts';
import { EngineContext } from './engine-context.ts';
import { RiskTracker } from './risk-tracker.ts';
import { input, node, ref } from './test-builders.ts';

const A = ref('m5.xlarge', 'us-east-1a');
const B = ref('m5.xlarge', 'us-east-1b');

describe('EngineContext', () => {
  it('counts the staying nodes per pool once, a claimed node out, a decided launch in', () => {
    const claim = {
      id: 'd1',
      urgent: false,
      status: 'awaiting-validation',
      nodeIds: ['n1'],
      launch: { ...B, count: 2, pricePerHour: 0.07 },
    } as unknown as Decision;
    const ctx = new EngineContext(
      input({ nodes: [node('n1', A), node('n2', A), node('n3', A, { disrupting: true })] }),
      decisionPolicies(),
      new RiskTracker(),
      [claim],
    );
    expect(ctx.count(A.poolId)).toBe(1);
    expect(ctx.count(B.poolId)).toBe(2);
    expect(ctx.totalNodes).toBe(3);
    expect(ctx.voluntaryInFlight).toBe(1);
    expect(ctx.reserved.get('web')).toBe(7);
    expect(ctx.pendingLaunches).toEqual([{ poolId: B.poolId, count: 2 }]);
  });
});
