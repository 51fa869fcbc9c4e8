import type { Taint } from './cluster-types.ts';

/**
 * Taint list edits on the node's own list entries, so fields Ballast does not model
 * (`timeAdded`, which NoExecute tolerationSeconds count from) survive the rewrite.
 * Each returns undefined when the list already says what the caller wants.
 */
export interface RawTaint {
  key: string;
  value?: string;
  effect: string;
  [field: string]: unknown;
}

export function withTaint<T extends RawTaint>(current: readonly T[], taint: Taint): RawTaint[] | undefined {
  const value = taint.value ?? '';
  const same = current.find((t) => t.key === taint.key && t.effect === taint.effect);
  if (same && (same.value ?? '') === value) return undefined;
  const next: RawTaint = { key: taint.key, effect: taint.effect };
  if (value !== '') next.value = value;
  if (same) return current.map((t) => (t === same ? { ...t, ...next, value: next.value } : t));
  return [...current, next];
}

export function withoutTaint<T extends RawTaint>(current: readonly T[], key: string): RawTaint[] | undefined {
  const kept = current.filter((t) => t.key !== key);
  return kept.length === current.length ? undefined : kept;
}
