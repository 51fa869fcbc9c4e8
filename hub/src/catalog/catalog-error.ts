/**
 * Bad catalog input (the on-demand price file or the inline map). The message reads like
 * a compiler's, `file:line:column: what`, so an operator can jump to the cell; line and
 * column are 1-based, column 0 when the whole line (or file) is wrong.
 */
export class CatalogInputError extends Error {
  override readonly name = 'CatalogInputError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${source}:${line}:${column}: ${problem}`);
  }
}
