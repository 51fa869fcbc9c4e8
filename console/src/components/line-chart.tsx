import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  stroke: string;
  fill?: string;
}

interface Props {
  /** uPlot's aligned data: x (unix seconds) then one array per series. */
  data: uPlot.AlignedData;
  series: readonly ChartSeries[];
  height?: number;
  yFormat?: (v: number) => string;
  /** Fixed y range, e.g. [0, 100] for percentages. */
  yRange?: [number, number];
  /** Horizontal threshold bands drawn behind the series, e.g. 80% warning. */
  thresholds?: readonly { value: number; color: string }[];
  testId?: string;
  /** Hands the plot to the caller (PNG export reads its canvas). */
  onPlot?: (u: uPlot | null) => void;
}

/** One uPlot chart that resizes with its box; data changes update it in place. */
export function LineChart({ data, series, height = 180, yFormat, yRange, thresholds, testId, onPlot }: Props) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const drawThresholds = (u: uPlot) => {
      if (!thresholds) return;
      const ctx = u.ctx;
      ctx.save();
      for (const t of thresholds) {
        const y = u.valToPos(t.value, 'y', true);
        ctx.strokeStyle = t.color;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
      }
      ctx.restore();
    };
    const u = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { show: series.length > 1 },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
        axes: [{}, { size: 64, values: (_u, ticks) => ticks.map((t) => (yFormat ? yFormat(t) : String(t))) }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, width: 1.5 }))],
        hooks: { drawAxes: [drawThresholds] },
      },
      data,
      el,
    );
    plot.current = u;
    onPlot?.(u);
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
      onPlot?.(null);
    };
  }, [series.length, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" data-testid={testId} data-points={String(data[0]?.length ?? 0)} ref={target} />;
}
