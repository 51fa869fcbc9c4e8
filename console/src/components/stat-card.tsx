import type { ComponentChildren } from 'preact';

interface Props {
  label: string;
  value: string;
  detail?: ComponentChildren;
  error?: string;
  testId: string;
  /** Briefly highlighted after a live update, so an operator sees what moved. */
  flash?: boolean;
}

export function StatCard({ label, value, detail, error, testId, flash }: Props) {
  return (
    <section class={flash ? 'stat-card flash' : 'stat-card'} data-testid={testId} aria-live="polite">
      <h3 class="stat-label">{label}</h3>
      <div class="stat-value" data-testid={`${testId}-value`}>
        {value}
      </div>
      {detail && <div class="stat-detail muted">{detail}</div>}
      {error && <div class="stat-error">{error}</div>}
    </section>
  );
}
