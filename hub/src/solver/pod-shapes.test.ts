import { describe, expect, it } from 'vitest';
import { aggregatePods, NODE_LABELS } from './pod-shapes.ts';

describe('aggregatePods', () => {
  it('counts identical pods as one shape and keeps different requests apart', () => {
    const shapes = aggregatePods([
      { cpuMillis: 500, memoryMib: 1024 },
      { cpuMillis: 500, memoryMib: 1024 },
      { cpuMillis: 250, memoryMib: 1024 },
    ]);
    expect(shapes).toEqual([
      { id: '500m/1024Mi', count: 2, cpuMillis: 500, memoryMib: 1024, spotAllowed: true },
      { id: '250m/1024Mi', count: 1, cpuMillis: 250, memoryMib: 1024, spotAllowed: true },
    ]);
  });

  it('reads architecture (amd64 → x86_64), family, type and zone from selectors and required affinity', () => {
    const [shape] = aggregatePods([
      {
        cpuMillis: 100,
        memoryMib: 128,
        nodeSelector: { [NODE_LABELS.arch]: 'amd64', [NODE_LABELS.zone]: 'us-east-1a' },
        nodeAffinityIn: { [NODE_LABELS.family]: ['m5', 'c5'], [NODE_LABELS.zone]: ['us-east-1a', 'us-east-1b'] },
      },
    ]);
    expect(shape).toMatchObject({ arches: ['x86_64'], instanceFamilies: ['c5', 'm5'], zones: ['us-east-1a'] });
    expect(shape?.id).toBe('100m/128Mi arch=x86_64 family=c5,m5 zone=us-east-1a');
  });

  it('decides spot from tolerations when spot nodes are tainted, and from the capacity-type selector', () => {
    const taint = { spotTaint: { key: 'ballast.io/spot', value: 'true' } };
    const pods = [
      { cpuMillis: 100, memoryMib: 128 },
      { cpuMillis: 100, memoryMib: 128, tolerations: [{ key: 'ballast.io/spot', operator: 'Exists' as const }] },
      { cpuMillis: 100, memoryMib: 128, tolerations: [{ key: 'ballast.io/spot', value: 'false' }] },
      { cpuMillis: 100, memoryMib: 128, tolerations: [{ operator: 'Exists' as const }] },
    ];
    expect(aggregatePods(pods, taint).map((s) => [s.spotAllowed, s.count])).toEqual([
      [false, 2], // no toleration, and a toleration for the wrong value
      [true, 2], // Exists on the key, and the empty-key Exists that tolerates everything
    ]);
    // Untainted cluster: everyone may use spot unless the selector pins on-demand.
    const pinned = aggregatePods([{ cpuMillis: 100, memoryMib: 128, nodeSelector: { [NODE_LABELS.capacityType]: 'on-demand' } }]);
    expect(pinned[0]).toMatchObject({ spotAllowed: false, id: '100m/128Mi spot=no' });
    const spotOnly = aggregatePods([{ cpuMillis: 100, memoryMib: 128, nodeSelector: { [NODE_LABELS.capacityType]: 'spot' } }]);
    expect(spotOnly[0]).toMatchObject({ spotAllowed: true, onDemandAllowed: false });
  });
});
