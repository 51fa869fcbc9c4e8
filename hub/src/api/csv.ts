/** CSV (RFC 4180) of query answers: one row per point. */

import type { AnswerSeries } from './query-answer.ts';

const FIXED = ['timestamp', 'unix', 'value'];

/** Quotes a field only when it must: it holds a comma, a quote, or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** `timestamp,unix,value,<label>…` with one column per label of any series, sorted by name. */
export function csvColumns(series: AnswerSeries[]): { header: string[]; labels: string[] } {
  const labels = [...new Set(series.flatMap((s) => Object.keys(s.labels)))].sort();
  // A label called like a fixed column is prefixed so that every header is distinct.
  return { header: [...FIXED, ...labels.map((l) => (FIXED.includes(l) ? `label_${l}` : l))], labels };
}

/** Yields the document in chunks of about a thousand rows, so large answers are streamed. */
export function* csvChunks(series: AnswerSeries[]): Generator<string> {
  const { header, labels } = csvColumns(series);
  let chunk = `${header.map(csvField).join(',')}\r\n`;
  let rows = 0;
  for (const s of series) {
    const labelPart = labels.map((l) => csvField(s.labels[l] ?? '')).join(',');
    const n = Math.min(s.t.length, s.values.length);
    for (let i = 0; i < n; i++) {
      const t = s.t[i] as number;
      const v = s.values[i] as number;
      const value = Number.isNaN(v) ? '' : String(v);
      chunk += `${new Date(t * 1000).toISOString()},${t},${value}${labels.length > 0 ? `,${labelPart}` : ''}\r\n`;
      if (++rows % 1000 === 0) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk) yield chunk;
}

/** `node_load1-20250101T000000Z-20250101T010000Z.csv`: safe on every file system. */
export function csvFilename(metric: string, startMs: number, endMs: number): string {
  const stamp = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replaceAll('-', '')
      .replaceAll(':', '');
  return `${metric.replaceAll(':', '_')}-${stamp(startMs)}-${stamp(endMs)}.csv`;
}

/**
 * True when the Accept header ranks text/csv above JSON. A browser's `*\/*` or no header
 * keeps JSON, which is what the console and scripts expect.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) || 0 : 1;
    if (type === 'text/csv') csv = Math.max(csv, q);
    if (type === 'application/json') json = Math.max(json, q);
  }
  return csv > 0 && csv > json;
}
