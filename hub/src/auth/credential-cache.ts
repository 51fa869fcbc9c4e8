/**
 * Credentials looked up recently, by secret hash, for `ttlMs` of the injected clock: without
 * it every API request costs a metadata-store round trip before any work (half the hub's
 * CPU under fifty polling consoles). Lookups that found nothing are kept too (a stream of
 * bad tokens costs nothing). Changes made through this hub clear it at once (see
 * AuthRuntime.forgetCredentials); other hubs see a revocation within `ttlMs`. `ttlMs` 0: off.
 */
export class CredentialCache<T> {
  private readonly entries = new Map<string, { at: number; value: T | null }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  async get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = this.entries.get(key);
    const now = this.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    if (this.ttlMs > 0) {
      this.entries.delete(key);
      this.entries.set(key, { at: now, value });
      if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  /** Changes a kept value in place (a last-use stamp written through), keeping its age. */
  update(key: string, change: (value: T) => T): void {
    const hit = this.entries.get(key);
    if (hit?.value) hit.value = change(hit.value);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
