import { describe, expect, it } from 'vitest';
import { disruptionsAllowed, maxUnavailableAt, safePodsPerNode } from './pdb-budget.ts';
import { webWorkload } from './test-builders.ts';

describe('PDB budget', () => {
  it('scales percentages up, as the disruption controller does', () => {
    expect(maxUnavailableAt({ maxUnavailable: '10%' }, 200)).toBe(20);
    expect(maxUnavailableAt({ maxUnavailable: '10%' }, 105)).toBe(11);
    expect(maxUnavailableAt({ minAvailable: '90%' }, 105)).toBe(105 - 95);
    expect(maxUnavailableAt({ maxUnavailable: 1 }, 9)).toBe(1);
    expect(maxUnavailableAt(null, 9)).toBe(Number.POSITIVE_INFINITY);
  });

  it('allows evictions while healthy pods exceed the desired healthy count', () => {
    expect(disruptionsAllowed(webWorkload({ desired: 70, healthy: 70 }))).toBe(7);
    expect(disruptionsAllowed(webWorkload({ desired: 70, healthy: 65 }))).toBe(2);
    expect(disruptionsAllowed(webWorkload({ desired: 70, healthy: 60 }))).toBe(0);
    expect(disruptionsAllowed(webWorkload({ pdb: null }))).toBe(Number.POSITIVE_INFINITY);
  });

  it('sizes spot nodes by the budget at the smallest scale plus the spare slots, never below one pod', () => {
    expect(safePodsPerNode(webWorkload({ desired: 200, minReplicas: 100 }))).toBe(10);
    expect(safePodsPerNode(webWorkload({ desired: 200, minReplicas: 100 }), 0.05)).toBe(15);
    expect(safePodsPerNode(webWorkload({ pdb: { maxUnavailable: 0 } }))).toBe(1);
    expect(safePodsPerNode(webWorkload({ pdb: null }))).toBe(Number.POSITIVE_INFINITY);
  });
});
