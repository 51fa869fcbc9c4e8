/**
 * Collects keys marked dirty during one turn of the event loop and hands them to the
 * handler once, on the next turn. Controllers react to store events this way so that a
 * burst of 3,000 pod events costs one reconcile per owner, not one per event, and so a
 * controller never re-enters the store from inside another write.
 */
export class ReconcileQueue<K> {
  private dirty = new Set<K>();
  private scheduled: ReturnType<typeof setImmediate> | null = null;
  private closed = false;

  constructor(private readonly handler: (keys: K[]) => void) {}

  mark(key: K): void {
    if (this.closed) return;
    this.dirty.add(key);
    if (!this.scheduled) this.scheduled = setImmediate(() => this.flush());
  }

  get pending(): number {
    return this.dirty.size;
  }

  flush(): void {
    this.scheduled = null;
    if (this.closed || this.dirty.size === 0) return;
    const keys = [...this.dirty];
    this.dirty = new Set();
    this.handler(keys);
  }

  close(): void {
    this.closed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
  }
}
