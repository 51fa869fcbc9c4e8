import { useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { fetchSavingsOverview, type SavingsSeries } from '../api/fleet-api.ts';
import { formatMoney } from '../lib/format.ts';
import { savingsColumns } from '../lib/savings-data.ts';
import { usePoll } from '../lib/use-poll.ts';
import { AsyncView } from './async-view.tsx';
import { LineChart } from './line-chart.tsx';

const PALETTE = ['#2f7ed8', '#1f9d55', '#d98a1b', '#8e44ad', '#16a2b8', '#c0392b'];

/** On-demand vs actual cost for the whole client, or actual cost per cluster. */
export function SavingsChart({ clientId }: { clientId: string }) {
  const [mode, setMode] = useState<'total' | 'cluster'>('total');
  const state = usePoll<SavingsSeries[]>((s) => fetchSavingsOverview(clientId, mode, s), 60_000, [clientId, mode]);
  const chart = useMemo(() => {
    const data = savingsColumns(state.data ?? [], mode) as uPlot.AlignedData;
    if (mode === 'total') {
      return {
        series: [
          { label: 'On-demand', stroke: '#9aa4b2' },
          { label: 'Actual', stroke: '#2f7ed8', fill: 'rgba(47,126,216,0.12)' },
        ],
        data,
      };
    }
    return { series: (state.data ?? []).map((s, i) => ({ label: s.name, stroke: PALETTE[i % PALETTE.length] as string })), data };
  }, [state.data, mode]);
  return (
    <section class="panel">
      <header class="panel-head">
        <h2>Savings overview</h2>
        <fieldset class="segmented" aria-label="Savings by">
          <button type="button" aria-pressed={mode === 'total'} onClick={() => setMode('total')}>
            Total
          </button>
          <button type="button" aria-pressed={mode === 'cluster'} onClick={() => setMode('cluster')}>
            Per cluster
          </button>
        </fieldset>
      </header>
      <AsyncView state={state} noun="savings" isEmpty={(d) => d.length === 0 || (d[0]?.points.length ?? 0) === 0}>
        {() => <LineChart key={mode} data={chart.data} series={chart.series} yFormat={(v) => formatMoney(v)} testId="savings-chart" />}
      </AsyncView>
    </section>
  );
}
