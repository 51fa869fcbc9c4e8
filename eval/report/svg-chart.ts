/**
 * A hand-written SVG of the run: daily cost per strategy (top) and cumulative interruptions
 * (bottom), one colour per strategy, with axes, ticks and a legend. No chart library.
 */
export const STRATEGY_COLORS: Record<string, string> = {
  ballast: '#d62728',
  'on-demand': '#7f7f7f',
  'lowest-price': '#ff7f0e',
  'capacity-optimized': '#2ca02c',
  'price-capacity-optimized': '#1f77b4',
  'karpenter-like': '#9467bd',
};

interface Panel {
  title: string;
  unit: string;
  series: Array<{ name: string; values: number[] }>;
  step: boolean;
}

const W = 960;
const PANEL_H = 250;
const M = { left: 70, right: 220, top: 40, bottom: 40 };

export function runChart(title: string, startDate: string, daily: Record<string, { cost_usd: number[]; interruptions: number[] }>): string {
  const names = Object.keys(daily);
  const cost: Panel = {
    title: 'Cost per day',
    unit: 'USD/day',
    series: names.map((n) => ({ name: n, values: daily[n]?.cost_usd ?? [] })),
    step: false,
  };
  const intr: Panel = {
    title: 'Interruption notices, cumulative',
    unit: 'notices',
    series: names.map((n) => ({ name: n, values: cumulative(daily[n]?.interruptions ?? []) })),
    step: true,
  };
  const height = M.top + 2 * (PANEL_H + M.bottom + 30);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}: cost per day and cumulative interruption notices by strategy</title>`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    panel(cost, M.top + 20, startDate),
    panel(intr, M.top + 20 + PANEL_H + M.bottom + 30, startDate),
    legend(names, M.top + 20),
    '</svg>',
  ];
  return parts.join('\n');
}

function panel(p: Panel, top: number, startDate: string): string {
  const x0 = M.left;
  const x1 = W - M.right;
  const y0 = top + PANEL_H;
  const days = Math.max(1, ...p.series.map((s) => s.values.length));
  const top0 = Math.max(1e-9, ...p.series.flatMap((s) => s.values));
  // Counts get whole-number ticks.
  const max = p.step ? Math.max(5, Math.ceil(top0 / 5) * 5) : niceMax(top0);
  const x = (i: number) => x0 + ((x1 - x0) * i) / Math.max(1, days - (p.step ? 0 : 1));
  const y = (v: number) => y0 - ((y0 - top) * v) / max;
  const out: string[] = [`<text x="${x0}" y="${top - 8}" font-weight="bold">${escapeXml(p.title)}</text>`];
  for (let k = 0; k <= 5; k++) {
    const v = (max * k) / 5;
    out.push(`<line x1="${x0}" x2="${x1}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${x0 - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  const start = Date.parse(`${startDate}T00:00:00Z`);
  for (let d = 0; d <= days; d += 7) {
    const label = Number.isFinite(start) ? new Date(start + d * 86_400_000).toISOString().slice(5, 10) : `day ${d}`;
    out.push(`<line x1="${x(d).toFixed(1)}" x2="${x(d).toFixed(1)}" y1="${y0}" y2="${y0 + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(d).toFixed(1)}" y="${y0 + 17}" text-anchor="middle">${label}</text>`);
  }
  out.push(
    `<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="#333"/><line x1="${x0}" x2="${x0}" y1="${top}" y2="${y0}" stroke="#333"/>`,
  );
  out.push(
    `<text x="14" y="${(top + y0) / 2}" transform="rotate(-90 14 ${(top + y0) / 2})" text-anchor="middle">${escapeXml(p.unit)}</text>`,
  );
  // Ballast last, so it is drawn on top.
  const ordered = [...p.series].sort((a, b) => Number(a.name === 'ballast') - Number(b.name === 'ballast'));
  for (const s of ordered) {
    const pts: string[] = [];
    s.values.forEach((v, i) => {
      if (p.step) {
        if (i > 0) pts.push(`${x(i).toFixed(1)},${y(s.values[i - 1] as number).toFixed(1)}`);
        pts.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
        if (i === s.values.length - 1) pts.push(`${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`);
      } else pts.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    const color = STRATEGY_COLORS[s.name] ?? '#000';
    const width = s.name === 'ballast' ? 2.5 : 1.5;
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="${width}" points="${pts.join(' ')}"/>`);
  }
  return out.join('\n');
}

function legend(names: string[], top: number): string {
  const x = W - M.right + 20;
  return names
    .map((n, i) => {
      const y = top + 10 + i * 20;
      return `<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${STRATEGY_COLORS[n] ?? '#000'}" stroke-width="3"/><text x="${x + 30}" y="${y + 4}">${escapeXml(n)}</text>`;
    })
    .join('\n');
}

function cumulative(xs: number[]): number[] {
  let s = 0;
  return xs.map((v) => {
    s += v;
    return s;
  });
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
