import type { Principal } from '../state/roles.ts';
import { canAct } from '../state/roles.ts';

/** The storage cleanup wizard's steps, in order. */
export const WIZARD_STEPS = ['filters', 'preview', 'confirm', 'progress'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export interface WizardState {
  step: WizardStep;
  /** Has a dry run answered for the current selection? Changing filters clears it. */
  previewed: boolean;
  selectedCount: number;
  /** Items of the preview the hub refused (attached, used by an image). */
  blockedCount: number;
  note: string;
  /** The user ticked "I understand this cannot be undone". */
  acknowledged: boolean;
}

export interface Gate {
  allowed: boolean;
  /** Why not, in words the wizard shows next to the disabled button. */
  reason?: string;
}

const yes: Gate = { allowed: true };

/**
 * Whether the wizard may move past its current step. The hub refuses the same things; the
 * wizard says so before the user fills a form for nothing.
 */
export function canAdvance(s: WizardState, who: Principal | null): Gate {
  switch (s.step) {
    case 'filters':
      return yes;
    case 'preview':
      if (!s.previewed) return { allowed: false, reason: 'Run the dry run first: it lists exactly what would be deleted.' };
      if (s.selectedCount === 0)
        return { allowed: false, reason: s.blockedCount > 0 ? 'Everything selected is blocked (see why above).' : 'Nothing to delete.' };
      if (!canAct(who))
        return { allowed: false, reason: `Your role (${who?.role ?? 'none'}) can preview but not delete: ask an operator.` };
      return yes;
    case 'confirm':
      if (!canAct(who)) return { allowed: false, reason: `Your role (${who?.role ?? 'none'}) cannot delete storage.` };
      if (s.note.trim() === '') return { allowed: false, reason: 'Write an audit note: say why, for the audit log.' };
      if (!s.acknowledged) return { allowed: false, reason: 'Tick the box: deleted volumes and snapshots cannot be restored.' };
      return yes;
    case 'progress':
      return { allowed: false, reason: 'The cleanup is running.' };
  }
}
