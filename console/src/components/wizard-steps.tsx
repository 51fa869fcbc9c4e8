import { WIZARD_STEPS, type WizardStep } from '../lib/wizard-model.ts';

const LABEL: Record<WizardStep, string> = { filters: 'Filters', preview: 'Dry-run preview', confirm: 'Confirm', progress: 'Progress' };

export function WizardSteps({ current }: { current: WizardStep }) {
  const at = WIZARD_STEPS.indexOf(current);
  return (
    <ol class="wizard-steps" aria-label="Steps">
      {WIZARD_STEPS.map((s, i) => (
        <li key={s} class={i === at ? 'current' : i < at ? 'done' : ''} aria-current={i === at ? 'step' : undefined}>
          {i + 1}. {LABEL[s]}
        </li>
      ))}
    </ol>
  );
}
