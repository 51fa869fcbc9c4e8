import type { FunnelStage } from '../api/fleet-api.ts';
import { formatCount, formatPercent } from '../lib/format.ts';
import { funnelBars } from '../lib/funnel-model.ts';

/** candidates → feasible → … → verified, one bar per stage, width relative to candidates. */
export function Funnel({ stages }: { stages: FunnelStage[] }) {
  const bars = funnelBars(stages);
  return (
    <ol class="funnel" data-testid="funnel" aria-label="Decision funnel">
      {bars.map((b) => (
        <li key={b.stage} class="funnel-row" data-stage={b.stage} data-count={String(b.reached)}>
          <span class="funnel-label">{b.label}</span>
          <meter class="funnel-bar" min={0} max={100} value={b.widthPercent} aria-label={`${b.label}: ${b.reached}`} />
          <span class="funnel-count mono">{formatCount(b.reached)}</span>
          <span class="funnel-conv muted">
            {b.conversion === null ? '' : formatPercent(b.conversion, 0)}
            {b.dropped > 0 ? ` · ${formatCount(b.dropped)} dropped` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
