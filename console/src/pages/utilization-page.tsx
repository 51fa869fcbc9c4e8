import { useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { fetchNodes, fetchSeries, type MetricsQueryResult } from '../api/nodes-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { LineChart } from '../components/line-chart.tsx';
import { saveBlob, saveText, toCsv } from '../lib/download.ts';
import { usePoll } from '../lib/use-poll.ts';

const RANGES = { '1h': [3600, 15], '6h': [21_600, 60], '24h': [86_400, 300], '7d': [604_800, 3600] } as const;
type Range = keyof typeof RANGES;
const METRICS = [
  ['node_cpu_usage_percent', 'CPU %'],
  ['node_memory_usage_percent', 'Memory %'],
] as const;

/** Per-node CPU and memory over 1 h to 7 d, with 70/90% bands; CSV and PNG export of what is shown. */
export function UtilizationPage() {
  const nodes = usePoll(fetchNodes, 60_000);
  const [node, setNode] = useState('');
  const [range, setRange] = useState<Range>('1h');
  const [metric, setMetric] = useState<string>(METRICS[0][0]);
  const plot = useRef<uPlot | null>(null);
  const chosen = node || nodes.data?.[0]?.node || '';
  const series = usePoll<MetricsQueryResult | null>(
    async (s) => {
      if (!chosen) return null;
      const [span, step] = RANGES[range];
      const end = Date.now() / 1000;
      return fetchSeries({ metric, match: { node: chosen }, start: end - span, end, stepSeconds: step }, s);
    },
    30_000,
    [chosen, range, metric],
  );
  const data = useMemo<uPlot.AlignedData>(() => {
    const pts = series.data?.series[0]?.points ?? [];
    return [pts.map((p) => p[0]), pts.map((p) => p[1])];
  }, [series.data]);
  const exportCsv = () =>
    saveText(
      toCsv(
        ['time', metric],
        (data[0] as number[]).map((t, i) => [new Date(t * 1000).toISOString(), (data[1] as number[])[i] ?? null]),
      ),
      `${chosen}-${metric}-${range}.csv`,
    );
  const exportPng = () => plot.current?.ctx.canvas.toBlob((b) => b && saveBlob(b, `${chosen}-${metric}-${range}.png`));
  return (
    <>
      <h1>Resource utilization</h1>
      <div class="form-row">
        <label>
          Node{' '}
          <select value={chosen} onChange={(e) => setNode((e.target as HTMLSelectElement).value)}>
            {(nodes.data ?? []).map((n) => (
              <option key={`${n.cluster}/${n.node}`} value={n.node}>
                {n.cluster}/{n.node}
              </option>
            ))}
          </select>
        </label>
        <label>
          Metric{' '}
          <select value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
            {METRICS.map(([m, l]) => (
              <option key={m} value={m}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="segmented" aria-label="Range">
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <button key={r} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
              {r}
            </button>
          ))}
        </fieldset>
        <button type="button" class="btn" onClick={exportCsv} disabled={data[0].length === 0}>
          CSV
        </button>
        <button type="button" class="btn" onClick={exportPng} disabled={data[0].length === 0}>
          PNG
        </button>
      </div>
      <AsyncView
        state={series}
        noun="utilization"
        isEmpty={(d) => d === null || (d.series[0]?.points.length ?? 0) === 0}
        empty="No samples for this node and range."
      >
        {() => (
          <LineChart
            data={data}
            series={[{ label: METRICS.find(([m]) => m === metric)?.[1] ?? metric, stroke: '#2f7ed8', fill: 'rgba(47,126,216,0.12)' }]}
            yRange={[0, 100]}
            yFormat={(v) => `${v}%`}
            thresholds={[
              { value: 70, color: '#d98a1b' },
              { value: 90, color: '#d64545' },
            ]}
            height={260}
            onPlot={(u) => {
              plot.current = u;
            }}
          />
        )}
      </AsyncView>
    </>
  );
}
