import { readFileSync } from 'node:fs';

/**
 * Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into rows. Text without
 * any quote takes a split-only fast path: the 170k-row price history has no quotes, and
 * a character-by-character scan would triple its load time.
 */
export function parseCsv(text: string): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.includes('"')) {
    const rows: string[][] = [];
    for (const line of body.split('\n')) {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (trimmed !== '') rows.push(trimmed.split(','));
    }
    return rows;
  }
  return parseQuoted(body);
}

function parseQuoted(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

/** A parsed CSV with a header, addressed by column name. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** Index of a column; throws naming the file's columns when it is missing. */
  column(name: string): number;
}

export function csvTable(text: string, what: string): CsvTable {
  const [header = [], ...rows] = parseCsv(text);
  return {
    header,
    rows,
    column(name) {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`${what}: missing column "${name}" (have: ${header.join(', ')})`);
      return i;
    },
  };
}

export function readText(path: string | URL): string {
  return readFileSync(path, 'utf8');
}
