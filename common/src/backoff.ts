/**
 * Full-jitter exponential backoff (AWS architecture blog's "full jitter"): attempt 0 waits
 * up to `minMs`, each later attempt doubles the ceiling up to `maxMs`. Jitter keeps a fleet
 * of agents from reconnecting in lockstep after a hub restart.
 */
export function exponentialBackoff(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  return Math.max(minMs / 2, Math.floor(random() * ceiling));
}
