import { CatalogInputError } from './catalog-error.ts';

/** One CSV record with where it came from, so errors can point at a cell. */
export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** 1-based column (character position) and line where each field starts (quoted fields may span lines). */
  columns: number[];
  lines: number[];
}

/**
 * RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) with positions kept. Blank
 * lines are skipped; a quoted field may span lines. An unterminated quote is an error at
 * the quote that opened it.
 */
export function readCsv(text: string, source: string): CsvRecord[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let col = 1;
  let record: CsvRecord = { line, fields: [], columns: [], lines: [] };
  let field = '';
  let fieldCol = 1;
  let fieldLine = 1;
  let quoted = false;
  let quoteAt = { line: 0, col: 0 };
  let touched = false;

  const endField = () => {
    record.fields.push(field);
    record.columns.push(fieldCol);
    record.lines.push(fieldLine);
    field = '';
  };
  const endRecord = () => {
    if (touched || record.fields.length > 0) {
      endField();
      records.push(record);
    }
    touched = false;
    record = { line, fields: [], columns: [], lines: [] };
    fieldCol = 1;
    fieldLine = line;
  };

  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
        col += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      if (c === '\n') {
        line++;
        col = 1;
      } else col++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      touched = true;
      quoteAt = { line, col };
    } else if (c === ',') {
      endField();
      touched = true;
      fieldCol = col + 1;
      fieldLine = line;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      line++;
      col = 0;
      endRecord();
    } else {
      field += c;
      touched = true;
    }
    col++;
  }
  if (quoted) throw new CatalogInputError(source, quoteAt.line, quoteAt.col, 'unterminated quoted field');
  endRecord();
  return records;
}
