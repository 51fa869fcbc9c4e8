import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/executors/clock-sleep.ts';
import type { ClusterPod } from '../../src/executors/cluster-port.ts';
import { graceSecondsFor, planDrain, resolvePolicy } from '../../src/executors/drain-plan.ts';
import { DEFAULT_DRAIN_POLICY } from '../../src/executors/drain-types.ts';
import { classifyPod, MIRROR_ANNOTATION } from '../../src/executors/pod-classifier.ts';

function pod(overrides: Partial<ClusterPod> = {}): ClusterPod {
  return {
    namespace: 'default',
    name: 'p',
    uid: 'u',
    resourceVersion: '1',
    nodeName: 'n',
    phase: 'Running',
    labels: {},
    annotations: {},
    owners: [],
    terminationGracePeriodSeconds: 30,
    emptyDirVolumes: [],
    ready: true,
    ...overrides,
  };
}

const owned = (kind: string) => {
  const ref = { kind, name: 'o', uid: 'o1', controller: true };
  return { owners: [ref], controller: ref };
};

describe('pod classification', () => {
  const policy = { deleteEmptyDirData: false };
  it('follows kubectl drain: DaemonSet and mirror pods stay, finished pods need nothing, emptyDir needs consent', () => {
    expect(classifyPod(pod(owned('DaemonSet')), policy)).toEqual({ action: 'skip', reason: 'daemonset' });
    expect(classifyPod(pod({ annotations: { [MIRROR_ANNOTATION]: 'abc' } }), policy)).toEqual({ action: 'skip', reason: 'mirror' });
    expect(classifyPod(pod(owned('Node')), policy)).toEqual({ action: 'skip', reason: 'mirror' });
    expect(classifyPod(pod({ phase: 'Succeeded' }), policy)).toEqual({ action: 'skip', reason: 'completed' });
    expect(classifyPod(pod({ phase: 'Failed' }), policy)).toEqual({ action: 'skip', reason: 'completed' });
    expect(classifyPod(pod({ emptyDirVolumes: ['tmp'] }), policy)).toEqual({ action: 'skip', reason: 'emptydir-refused' });
    expect(classifyPod(pod({ emptyDirVolumes: ['tmp'] }), { deleteEmptyDirData: true })).toEqual({ action: 'evict' });
    expect(classifyPod(pod(owned('ReplicaSet')), policy)).toEqual({ action: 'evict' });
    expect(classifyPod(pod({ deletionTimestamp: '2025-01-01T00:00:00Z' }), policy)).toEqual({ action: 'evict' });
  });

  it('plans bare pods as evictions that nothing recreates', () => {
    const plan = planDrain([pod({ name: 'bare' }), pod({ name: 'rs', ...owned('ReplicaSet') })], DEFAULT_DRAIN_POLICY);
    expect(plan.evict.map((e) => e.ref)).toEqual([
      { namespace: 'default', name: 'bare', uid: 'u', recreated: false },
      { namespace: 'default', name: 'rs', uid: 'u', recreated: true, owner: 'ReplicaSet/o' },
    ]);
  });
});

describe('grace periods', () => {
  const now = 1_000_000;
  const policy = resolvePolicy({});
  it('cuts the pod’s own grace to what fits before deadline − safety margin, and to the policy ceiling', () => {
    expect(graceSecondsFor(pod({ terminationGracePeriodSeconds: 300 }), now, now + 60_000, policy)).toBe(50);
    expect(graceSecondsFor(pod({ terminationGracePeriodSeconds: 30 }), now, now + 60_000, policy)).toBe(30);
    expect(graceSecondsFor(pod({ terminationGracePeriodSeconds: 30 }), now, now + 60_000, { ...policy, maxGraceSeconds: 7 })).toBe(7);
  });
  it('never goes below 1 s, unless the pod itself asks for 0', () => {
    expect(graceSecondsFor(pod(), now, now + 5_000, policy)).toBe(1);
    expect(graceSecondsFor(pod({ terminationGracePeriodSeconds: 0 }), now, now + 60_000, policy)).toBe(0);
  });
});

describe('policy', () => {
  it('fills defaults and rejects nonsense', () => {
    expect(resolvePolicy({ policy: { forceAtDeadline: true } })).toEqual({ ...DEFAULT_DRAIN_POLICY, forceAtDeadline: true });
    expect(() => resolvePolicy({ policy: { evictionRetryMinMs: 500, evictionRetryMaxMs: 100 } })).toThrow(RangeError);
    expect(() => resolvePolicy({ policy: { safetyMarginMs: -1 } })).toThrow(RangeError);
  });
});

describe('limiter', () => {
  it('never runs more than the limit at once', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    const task = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 2));
      active -= 1;
    };
    await Promise.all(Array.from({ length: 20 }, () => limit(task)));
    expect(peak).toBe(3);
  });
});
