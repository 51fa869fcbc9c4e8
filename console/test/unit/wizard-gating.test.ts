import { describe, expect, it } from 'vitest';
import { canAdvance, type WizardState } from '../../src/lib/wizard-model.ts';
import type { Principal } from '../../src/state/roles.ts';

const operator: Principal = { username: 'op', name: '', role: 'operator', clientId: 'acme' };
const viewer: Principal = { ...operator, username: 'v', role: 'viewer' };
const base: WizardState = { step: 'preview', previewed: true, selectedCount: 3, blockedCount: 0, note: '', acknowledged: false };

describe('storage wizard gating', () => {
  it('always lets the filters step move on to a dry run', () => {
    expect(canAdvance({ ...base, step: 'filters', previewed: false }, viewer)).toEqual({ allowed: true });
  });

  it('needs a dry run for the current selection before confirmation', () => {
    const g = canAdvance({ ...base, previewed: false }, operator);
    expect(g.allowed).toBe(false);
    expect(g.reason).toMatch(/dry run first/);
  });

  it('stops at the preview when nothing is deletable, and says when it is because all was blocked', () => {
    expect(canAdvance({ ...base, selectedCount: 0 }, operator)).toEqual({ allowed: false, reason: 'Nothing to delete.' });
    expect(canAdvance({ ...base, selectedCount: 0, blockedCount: 2 }, operator).reason).toMatch(/blocked/);
  });

  it('lets a viewer preview but not continue, naming the role', () => {
    const g = canAdvance(base, viewer);
    expect(g.allowed).toBe(false);
    expect(g.reason).toContain('viewer');
    expect(canAdvance(base, operator)).toEqual({ allowed: true });
  });

  it('needs a non-blank audit note and the acknowledgement to delete', () => {
    const confirm = { ...base, step: 'confirm' as const };
    expect(canAdvance({ ...confirm, note: '   ', acknowledged: true }, operator).reason).toMatch(/audit note/);
    expect(canAdvance({ ...confirm, note: 'old CI volumes', acknowledged: false }, operator).reason).toMatch(/Tick the box/);
    expect(canAdvance({ ...confirm, note: 'old CI volumes', acknowledged: true }, operator)).toEqual({ allowed: true });
    expect(canAdvance({ ...confirm, note: 'x', acknowledged: true }, viewer).allowed).toBe(false);
    expect(canAdvance({ ...confirm, note: 'x', acknowledged: true }, null).allowed).toBe(false);
  });

  it('never advances past a running cleanup', () => {
    expect(canAdvance({ ...base, step: 'progress' }, operator).allowed).toBe(false);
  });
});
