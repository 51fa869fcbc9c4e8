import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './decision-engine.ts';
import { HOUR_MS, input, node, type PoolSpec, pools, ref, T0 } from './test-builders.ts';

/**
 * Revert to spot with hysteresis: an on-demand node goes back to spot only when the target
 * pool and its type have been below the calm threshold for revertAfterCalmMs (6 h) without a
 * break, and no fallback was decided within that time.
 */
const A = ref('m5.xlarge', 'us-east-1a');
const C = ref('c5.xlarge', 'us-east-1c');
const OD = ref('m5.xlarge', 'us-east-1a', 'on-demand');
const CALM: PoolSpec = { zone: 'us-east-1a' };
/** One interruption in 10 h: above the calm threshold, below the fallback one. */
const UNEASY: PoolSpec = { zone: 'us-east-1a', interruptions: 1, instanceHours: 10 };
/** Six interruptions in 50 h: above the fallback threshold. */
const RISKY: PoolSpec = { zone: 'us-east-1a', interruptions: 6, instanceHours: 50 };
const ON_DEMAND: PoolSpec = { zone: 'us-east-1a', capacityType: 'on-demand' };

function at(e: DecisionEngine, hours: number, a: PoolSpec, extra: PoolSpec[] = [], nodes = [node('n1', OD)]) {
  const now = T0 + hours * HOUR_MS;
  return e.step(input({ nowMs: now, nodes, pools: pools([a, ON_DEMAND, ...extra], now) }));
}

describe('revert hysteresis', () => {
  it('waits until the target has been calm for the whole period', () => {
    const e = new DecisionEngine({ policies: { headroomShare: 0 } });
    for (const h of [0, 3, 5.9]) expect(at(e, h, CALM).proposed).toHaveLength(0);
    const out = at(e, 6, CALM);
    expect(out.proposed[0]).toMatchObject({ kind: 'revert', reason: 'calm-market', launch: { poolId: A.poolId } });
    expect(out.proposed[0]?.expectedSavings.perHourUsd).toBeGreaterThan(0.1);
    expect(at(e, 6 + 5 / 60, CALM).approved.map((d) => d.kind)).toEqual(['revert']);
  });

  it('restarts the clock when the pool is not calm, even below the fallback threshold', () => {
    const e = new DecisionEngine({ policies: { headroomShare: 0 } });
    at(e, 0, CALM);
    at(e, 2, UNEASY);
    at(e, 3, CALM);
    expect(at(e, 6, CALM).proposed).toHaveLength(0);
    expect(at(e, 8.9, CALM).proposed).toHaveLength(0);
    expect(at(e, 9, CALM).proposed.map((d) => d.kind)).toEqual(['revert']);
  });

  it('never reverts into a pool that hovers between the thresholds', () => {
    const e = new DecisionEngine({ policies: { headroomShare: 0 } });
    for (const h of [0, 4, 8, 12]) expect(at(e, h, UNEASY).proposed).toHaveLength(0);
  });

  it('holds every revert back for a full period after a fallback', () => {
    const e = new DecisionEngine({ policies: { headroomShare: 0 } });
    const cRisky: PoolSpec = { ...RISKY, type: 'c5.xlarge', zone: 'us-east-1c', vcpu: 4, memoryGib: 8 };
    const cNode = node('n2', C, { pods: [] });
    at(e, 0, CALM);
    // An empty node in a risky pool: a fallback with nothing to launch, validated a minute later.
    at(e, 1, CALM, [cRisky], [node('n1', OD), cNode]);
    const fb = at(e, 1 + 1 / 60, CALM, [cRisky], [node('n1', OD), cNode]);
    expect(fb.approved.map((d) => d.kind)).toEqual(['fallback']);
    expect(at(e, 6.5, CALM).proposed).toHaveLength(0);
    expect(at(e, 7.1, CALM).proposed.map((d) => d.kind)).toEqual(['revert']);
  });

  it('drops a revert at validation when the market stirred meanwhile (market-not-calm)', () => {
    const e = new DecisionEngine({ policies: { headroomShare: 0 } });
    at(e, 0, CALM);
    expect(at(e, 6, CALM).proposed).toHaveLength(1);
    const out = at(e, 6 + 5 / 60, UNEASY);
    expect(out.approved).toHaveLength(0);
    expect(out.dropped[0]?.dropped).toMatchObject({ stage: 'validated', reason: 'market-not-calm' });
  });

  it('keeps on-demand nodes the floor needs', () => {
    const e = new DecisionEngine({ policies: { headroomShare: 0, minOnDemandNodes: 1 } });
    at(e, 0, CALM);
    expect(at(e, 7, CALM).proposed).toHaveLength(0);
  });

  it('does not flap: after a fallback and a revert, risk must cross the fallback threshold again', () => {
    const e = new DecisionEngine({
      policies: { headroomShare: 0, validationDelayMs: { fallback: 0, revert: 0, provision: 0, replace: 0, consolidate: 0 } },
    });
    expect(at(e, 0, RISKY, [], [node('n1', A)]).approved.map((d) => d.kind)).toEqual(['fallback']);
    // Uneasy but below the fallback threshold: neither back to spot nor another fallback.
    for (const h of [1, 5, 10]) expect(at(e, h, UNEASY, [], [node('n1', A), node('n2', OD)]).approved).toHaveLength(0);
  });
});
