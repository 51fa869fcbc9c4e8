import type { ConfigError } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { needsApproval, parseApprovalPolicy } from './approval-policy.ts';

describe('approval policy', () => {
  it('asks a second person only for the listed actions', () => {
    const p = parseApprovalPolicy(' storage.delete, governance.terminate ,');
    expect(p.requireSecondPerson).toEqual(['storage.delete', 'governance.terminate']);
    expect(needsApproval(p, 'storage.delete')).toBe(true);
    expect(needsApproval(p, 'kill-switch')).toBe(false);
    expect(needsApproval(p, null)).toBe(false);
    expect(parseApprovalPolicy('').requireSecondPerson).toEqual([]);
  });

  it('refuses an unknown action, naming the field', () => {
    expect(() => parseApprovalPolicy('storage.delete,nuke')).toThrow(/approvalRequiredFor: names unknown action\(s\) nuke/);
    try {
      parseApprovalPolicy('nuke', 'approvalPolicy');
    } catch (err) {
      expect((err as ConfigError).field).toBe('approvalPolicy');
    }
  });
});
