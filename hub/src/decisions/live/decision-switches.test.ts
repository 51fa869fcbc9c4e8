import { describe, expect, it } from 'vitest';
import type { RemovalOrder, SwitchOrder } from '../../switches/switch-submitter.ts';
import type { Decision } from '../decision-types.ts';
import { ENGINE_ACTOR, executeAsSwitches } from './decision-switches.ts';

const LAUNCH = {
  poolId: 'm5.large|us-east-1a|spot',
  instanceType: 'm5.large',
  zone: 'us-east-1a',
  capacityType: 'spot',
  count: 1,
  pricePerHour: 0.04,
} as const;

function decision(over: Partial<Decision>): Decision {
  return {
    id: 'd1',
    kind: 'replace',
    reason: 'cheaper-pool',
    urgent: false,
    nodeIds: ['n1'],
    launch: {
      poolId: 'm5.large|us-east-1a|spot',
      instanceType: 'm5.large',
      zone: 'us-east-1a',
      capacityType: 'spot',
      count: 1,
      pricePerHour: 0.04,
    },
    expectedSavings: { totalUsd: 2.4, perHourUsd: 0.1, horizonHours: 24, riskPerHourUsd: 0 },
    ...over,
  } as Decision;
}

function ports(withRemove = true) {
  const orders: SwitchOrder[] = [];
  const removals: RemovalOrder[] = [];
  const execute = executeAsSwitches({
    clientId: 'acme',
    clusterId: 'prod',
    submit: async (o) => void orders.push(o),
    ...(withRemove ? { remove: async (o: RemovalOrder) => void removals.push(o) } : {}),
    instanceIdOf: (n) => (n === 'gone' ? null : `i-${n}`),
    noticeDeadlineOf: (n) => (n === 'n2' ? 1_000_000 : null),
  });
  return { orders, removals, execute };
}

describe('executeAsSwitches', () => {
  it('submits one switch per node into the decision pool, with its share of the savings and the notice deadline', async () => {
    const { orders, execute } = ports();
    const d = decision({
      nodeIds: ['n1', 'n2'],
      launch: { ...LAUNCH, count: 2 },
      urgent: true,
      reason: 'interruption-notice',
    });
    expect(await execute(d, 'stored-1')).toEqual({ ok: true });
    expect(orders).toEqual([
      expect.objectContaining({ clientId: 'acme', clusterId: 'prod', instanceId: 'i-n1', noticeDeadlineMs: null, savingsPerHour: 0.05 }),
      expect.objectContaining({ instanceId: 'i-n2', noticeDeadlineMs: 1_000_000, decisionId: 'stored-1', actor: ENGINE_ACTOR }),
    ]);
    expect(orders[0]?.to).toEqual({ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot' });
    expect(orders[0]?.reason).toBe('replace (interruption-notice)');
  });

  it('refuses, submitting nothing, what is not a one-for-one move, a forced node and a node without an instance', async () => {
    const { orders, removals, execute } = ports();
    // Packing an occupied node onto the others: nothing carries that out.
    expect(await execute(decision({ kind: 'consolidate', reason: 'underutilized', launch: null }), 's')).toMatchObject({
      ok: false,
      reason: /launches nothing/,
    });
    expect(await execute(decision({ nodeIds: ['n1', 'n2'] }), 's')).toMatchObject({ ok: false, reason: /2 node\(s\) onto 1/ });
    expect(await execute(decision({ kind: 'fallback', reason: 'override' }), 's')).toMatchObject({ ok: false, reason: /override job/ });
    expect(await execute(decision({ nodeIds: ['gone'] }), 's')).toMatchObject({ ok: false, reason: /no instance id/ });
    expect(orders).toEqual([]);
    expect(removals).toEqual([]);
  });

  it('turns an empty-node consolidation into one removal per node, and refuses it when removals are not wired', async () => {
    const { orders, removals, execute } = ports();
    const empty = decision({ kind: 'consolidate', reason: 'empty-node', launch: null, nodeIds: ['n1', 'n3'] });
    expect(await execute(empty, 'stored-2')).toEqual({ ok: true });
    expect(orders).toEqual([]);
    expect(removals).toEqual([
      {
        clientId: 'acme',
        clusterId: 'prod',
        instanceId: 'i-n1',
        reason: 'consolidate (empty-node)',
        savingsPerHour: 0.05,
        decisionId: 'stored-2',
        actor: ENGINE_ACTOR,
      },
      expect.objectContaining({ instanceId: 'i-n3' }),
    ]);
    expect(await execute(decision({ kind: 'consolidate', reason: 'empty-node', launch: null, nodeIds: ['gone'] }), 's')).toMatchObject({
      ok: false,
      reason: /no instance id/,
    });
    expect(await ports(false).execute(empty, 's')).toMatchObject({ ok: false, reason: /launches nothing/ });
  });
});
