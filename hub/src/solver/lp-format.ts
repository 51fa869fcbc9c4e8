/** A term of a linear expression: coefficient and column name. */
export type Term = readonly [number, string];

/**
 * Writes a model in CPLEX LP format, the text HiGHS reads. Rows are added one by one;
 * zero coefficients are dropped, and long expressions are wrapped (the format allows an
 * expression to continue on the next line), because HiGHS' reader is line-oriented.
 */
export class LpWriter {
  private readonly rows: string[] = [];
  private readonly bounds: string[] = [];
  rowCount = 0;

  row(name: string, terms: readonly Term[], sense: '<=' | '>=' | '=', rhs: number): void {
    const t = terms.filter(([c]) => c !== 0);
    // A row whose terms all vanished still has to parse: 0 × some column.
    const body = t.length > 0 ? linear(t) : `0 ${terms[0]?.[1] ?? 'n0'}`;
    this.rows.push(` ${name}: ${body} ${sense} ${num(rhs)}`);
    this.rowCount++;
  }

  upperBound(column: string, max: number): void {
    this.bounds.push(` ${column} <= ${num(max)}`);
  }

  text(objective: readonly Term[], generals: readonly string[], binaries: readonly string[]): string {
    return [
      'Minimize',
      ` obj: ${objective.length > 0 ? linear(objective) : '0 n0'}`,
      'Subject To',
      ...this.rows,
      'Bounds',
      ...this.bounds,
      ...(generals.length > 0 ? ['Generals', ...wrap(generals)] : []),
      ...(binaries.length > 0 ? ['Binaries', ...wrap(binaries)] : []),
      'End',
      '',
    ].join('\n');
  }
}

/** "a x + b y - c z", eight terms a line. */
function linear(terms: readonly Term[]): string {
  const parts = terms.map(([c, v], i) => {
    const sign = c < 0 ? '- ' : i === 0 ? '' : '+ ';
    const mag = Math.abs(c);
    return `${sign}${mag === 1 ? '' : `${num(mag)} `}${v}`;
  });
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 8) lines.push(parts.slice(i, i + 8).join(' '));
  return lines.join('\n  ');
}

function wrap(names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += 20) out.push(` ${names.slice(i, i + 20).join(' ')}`);
  return out;
}

/** Plain decimal (no exponent, which the LP reader could take for a name), up to 10 decimals. */
export function num(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
}
