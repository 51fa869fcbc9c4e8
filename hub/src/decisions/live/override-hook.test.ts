import { describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../overrides/override-policy.ts';
import type { ViewNode } from './cluster-view.ts';
import { overrideHook } from './override-hook.ts';

const node = (name: string, instanceId: string | null, capacityType: 'spot' | 'on-demand'): ViewNode => ({
  name,
  instanceId,
  instanceType: 'm5.large',
  zone: 'us-east-1a',
  capacityType,
  ready: true,
  cordoned: false,
  createdAtMs: 0,
  pods: [],
});

describe('the decision loop overrides hook', () => {
  it("fetches the on-demand nodes' tags in one call per run and forces the node an override names or tags", async () => {
    const calls: string[][] = [];
    const asked: InstanceRef[] = [];
    const hook = overrideHook(
      {
        // Forced: the spot instance named directly, and the replacement tagged by the override.
        overrideFor: async (i) => {
          asked.push(i);
          return i.instanceId === 'i-spot-forced' || i.tags?.['ballast.io/forced-by'] === 'ovr-1' ? 'on-demand' : null;
        },
      },
      'acme',
      'prod',
      async (ids) => {
        calls.push([...ids]);
        return new Map([['i-od-replacement', { 'ballast.io/forced-by': 'ovr-1' }]]);
      },
    );
    const nodes = [
      node('a', 'i-spot-forced', 'spot'),
      node('b', 'i-spot-free', 'spot'),
      node('c', 'i-od-replacement', 'on-demand'),
      node('d', 'i-od-plain', 'on-demand'),
      node('e', null, 'spot'),
    ];
    const out = await hook?.(nodes);
    expect(calls).toEqual([['i-od-replacement', 'i-od-plain']]);
    expect(out).toEqual([
      { instanceTypes: ['m5.large'], zones: ['us-east-1a'], reason: 'forced on-demand' },
      null,
      { instanceTypes: ['m5.large'], zones: ['us-east-1a'], reason: 'forced on-demand' },
      null,
      null,
    ]);
    expect(asked.find((i) => i.instanceId === 'i-od-replacement')).toEqual({
      clientId: 'acme',
      clusterId: 'prod',
      instanceId: 'i-od-replacement',
      tags: { 'ballast.io/forced-by': 'ovr-1' },
    });
  });

  it('makes no cloud call when no node is on demand', async () => {
    let calls = 0;
    const hook = overrideHook({ overrideFor: async () => null }, 'acme', 'prod', async () => {
      calls++;
      return new Map();
    });
    expect(await hook?.([node('a', 'i-1', 'spot')])).toEqual([null]);
    expect(calls).toBe(0);
  });
});
