/**
 * Kubernetes resource quantities (`250m`, `1.5`, `256Mi`, `1G`, `1e3`), as the API server
 * writes them: a decimal number with an optional binary (Ki…Ei) or decimal (n, u, m, k…E)
 * suffix. Returns null for anything else rather than guessing.
 */
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The quantity's value in base units (cores, bytes); null when it is not a quantity. */
export function parseQuantity(text: string): number | null {
  const m = QUANTITY.exec(text.trim());
  if (!m) return null;
  // An exponent and a suffix together ("1e3k") is not a Kubernetes quantity.
  if (m[2] && /[eE]/.test(m[1] as string)) return null;
  const value = Number(m[1]) * (SUFFIX[m[2] ?? ''] as number);
  return Number.isFinite(value) ? value : null;
}
