/** A position in one bus's event sequence: which hub run (epoch) and the last event id seen. */
export interface CursorPosition {
  epoch: string;
  id: number;
}

export class StreamCursorError extends Error {
  override readonly name = 'StreamCursorError';
}

const CURSOR = /^([a-z0-9]{1,32})-(\d{1,15})$/;

/** `<epoch>-<id>`: opaque to clients, who only echo it back (as `?cursor=` or SSE `Last-Event-ID`). */
export function formatCursor(p: CursorPosition): string {
  return `${p.epoch}-${p.id}`;
}

/** @throws StreamCursorError when the text is not a cursor this hub could have written. */
export function parseCursor(text: string): CursorPosition {
  const m = CURSOR.exec(text);
  if (!m) throw new StreamCursorError(`not a stream cursor: ${JSON.stringify(text.slice(0, 60))}`);
  return { epoch: m[1] as string, id: Number(m[2]) };
}

export function isCursor(text: string): boolean {
  return CURSOR.test(text);
}
