/**
 * Readers for answers whose exact shape is still settling (the fleet endpoints are being
 * built beside the console): take the first key present, so a renamed field is one edit here.
 */
export function pickNumber(body: unknown, keys: readonly string[]): number | null {
  if (typeof body === 'number') return body;
  if (body === null || typeof body !== 'object') return null;
  const o = body as Record<string, unknown>;
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner = pickNumber(v, ['value', 'total', 'count']);
      if (inner !== null) return inner;
    }
  }
  return null;
}

export function pickArray<T>(body: unknown, keys: readonly string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body === null || typeof body !== 'object') return [];
  const o = body as Record<string, unknown>;
  for (const k of keys) if (Array.isArray(o[k])) return o[k] as T[];
  return [];
}

export function pickString(body: unknown, keys: readonly string[]): string | null {
  if (body === null || typeof body !== 'object') return null;
  const o = body as Record<string, unknown>;
  for (const k of keys) if (typeof o[k] === 'string') return o[k] as string;
  return null;
}
