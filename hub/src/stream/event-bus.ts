import { randomBytes } from 'node:crypto';
import { type CursorPosition, formatCursor, parseCursor } from './stream-cursor.ts';
import { matches, type StreamEvent, type StreamEventInput, type StreamFilter } from './stream-event.ts';

/** Why a subscriber starts without the replay it asked for: it must refetch state, then follow live. */
export type ResetReason = 'cursor-too-old' | 'cursor-unknown';

/** Where a subscription's events go. Both are called synchronously from publish or subscribe. */
export interface StreamSink {
  event(e: StreamEvent, cursor: string): void;
  /** The cursor cannot be resumed from; events after this call are live ones only. */
  reset(reason: ResetReason, message: string): void;
}

export interface Subscription {
  close(): void;
}

export interface EventBusOptions {
  /** Events kept for resuming; default 10,000. Older cursors get a reset. */
  capacity?: number;
  /** Names this bus's cursor space (a cursor from another hub process gets a reset); default random. */
  epoch?: string;
  /** A sink that threw is dropped; this hears about it. */
  onSinkError?: (err: unknown) => void;
}

/**
 * The hub's live events, numbered in publish order, kept in a bounded ring so that a
 * subscriber that reconnects with its last cursor misses nothing still in the ring. A
 * cursor older than the ring (or from another hub process) gets an explicit reset instead
 * of a silent gap: the client refetches state and follows live from there.
 *
 * Memory is bounded by the ring; delivery is synchronous into each sink, so per-subscriber
 * buffering is the transport's (the stream routes drop a subscriber whose socket buffer
 * passes a limit).
 */
export class EventBus {
  readonly epoch: string;
  private readonly capacity: number;
  private readonly ring: Array<StreamEvent | undefined>;
  /** The id the next publish gets; ids start at 1. */
  private nextId = 1;
  private readonly subscribers = new Set<{ filter: StreamFilter; sink: StreamSink }>();

  constructor(private readonly options: EventBusOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Array(capacity);
    this.epoch = options.epoch ?? randomBytes(6).toString('hex');
    if (!/^[a-z0-9]{1,32}$/.test(this.epoch)) throw new RangeError(`epoch must be 1-32 lowercase letters or digits, got ${this.epoch}`);
  }

  /** Numbers the event, keeps it for resumes and hands it to every matching subscriber. */
  publish(input: StreamEventInput): StreamEvent {
    const e: StreamEvent = {
      id: this.nextId++,
      kind: input.kind,
      tenant: input.tenant,
      cluster: input.cluster ?? null,
      node: input.node ?? null,
      at: input.at,
      data: input.data,
    };
    this.ring[e.id % this.capacity] = e;
    const cursor = formatCursor({ epoch: this.epoch, id: e.id });
    for (const s of this.subscribers) {
      if (!matches(s.filter, e)) continue;
      try {
        s.sink.event(e, cursor);
      } catch (err) {
        this.subscribers.delete(s);
        this.options.onSinkError?.(err);
      }
    }
    return e;
  }

  /** The cursor of the last event published (id 0 before any): resuming from it replays nothing. */
  latestCursor(): string {
    return formatCursor({ epoch: this.epoch, id: this.nextId - 1 });
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Follows events matching `filter`. With a cursor, first replays (synchronously, before
   * this returns) every kept event after it that matches, then goes live with nothing in
   * between; a cursor that cannot be resumed calls `sink.reset` first. Without one: live only.
   * @throws StreamCursorError for a malformed cursor (callers validate it first).
   */
  subscribe(filter: StreamFilter, cursor: string | undefined, sink: StreamSink): Subscription {
    if (cursor !== undefined) this.replay(filter, parseCursor(cursor), sink);
    const entry = { filter, sink };
    this.subscribers.add(entry);
    return { close: () => void this.subscribers.delete(entry) };
  }

  private replay(filter: StreamFilter, from: CursorPosition, sink: StreamSink): void {
    const latest = this.nextId - 1;
    if (from.epoch !== this.epoch || from.id > latest) {
      sink.reset('cursor-unknown', 'the cursor is not from this hub run: refetch state, then follow live');
      return;
    }
    const oldestKept = Math.max(1, this.nextId - this.capacity);
    if (from.id + 1 < oldestKept) {
      sink.reset('cursor-too-old', `events after this cursor are no longer kept (oldest kept: ${oldestKept}): refetch state`);
      return;
    }
    for (let id = from.id + 1; id <= latest; id++) {
      const e = this.ring[id % this.capacity] as StreamEvent;
      if (matches(filter, e)) sink.event(e, formatCursor({ epoch: this.epoch, id }));
    }
  }
}
