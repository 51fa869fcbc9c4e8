import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fetchSeries, type MetricsQueryResult } from '../api/nodes-api.ts';
import { usePoll } from '../lib/use-poll.ts';

const WINDOW_SECONDS = 15 * 60;
const STEP_SECONDS = 10;
const HEIGHT = 160;

interface Props {
  node: string;
  cluster: string;
  refreshMs: number;
}

interface Fetched {
  start: number;
  end: number;
  result: MetricsQueryResult;
}

/** Picks this node's series; the query matches on node name only, which can repeat across clusters. */
function toAligned(result: MetricsQueryResult | undefined, cluster: string): uPlot.AlignedData {
  const series = result?.series.find((s) => s.labels.cluster === cluster) ?? result?.series[0];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [t, v] of series?.points ?? []) {
    if (!Number.isFinite(t) || !Number.isFinite(v)) continue;
    xs.push(t);
    ys.push(v);
  }
  return [xs, ys];
}

export function CpuChart({ node, cluster, refreshMs }: Props) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // uPlot reads the x range through this ref so the axis always spans the full 15 minutes,
  // even while the agent has only reported a few points.
  const range = useRef<[number, number]>([0, 1]);

  const { data, error, loading } = usePoll<Fetched>(
    async (signal) => {
      const end = Date.now() / 1000;
      const start = end - WINDOW_SECONDS;
      const result = await fetchSeries(
        { metric: 'node_cpu_usage_percent', match: { node }, start, end, stepSeconds: STEP_SECONDS },
        signal,
      );
      return { start, end, result };
    },
    refreshMs,
    [node],
  );

  const aligned = useMemo(() => toAligned(data?.result, cluster), [data, cluster]);
  const points = aligned[0].length;

  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const u = new uPlot(
      {
        width: el.clientWidth || 600,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => range.current },
          y: { range: [0, 100] },
        },
        axes: [{}, { size: 56, values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
        series: [{}, { label: 'CPU', stroke: '#2f7ed8', width: 1.5, fill: 'rgba(47,126,216,0.12)' }],
      },
      [[], []],
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    if (!plot.current || !data) return;
    range.current = [data.start, data.end];
    plot.current.setData(aligned);
  }, [aligned, data]);

  return (
    <section class="chart-card">
      <header class="chart-title">
        <span class="mono">{node}</span>
        <span class="muted">CPU %, last 15 min</span>
        {loading && <span class="muted">loading…</span>}
        {error && <span class="chart-error">{error.message}</span>}
      </header>
      <div data-testid="cpu-chart" data-node={node} data-points={String(points)} ref={target} />
    </section>
  );
}
