import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@ballast/common';
import { type Event, EventKind, EventSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import type { Transport } from '../transport/transport.ts';

/**
 * Events for the hub, kept until a stream is up to carry them: an interruption noticed
 * while the hub is unreachable still reaches it once the link is back. Bounded; the oldest
 * go first when full, and are counted.
 */
export class EventOutbox {
  private readonly queue: Event[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  dropped = 0;
  sent = 0;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly capacity = 1_000,
    private readonly retryMs = 250,
  ) {}

  /** Queues an event and sends it now if the link is up. */
  emit(kind: EventKind, message: string, attributes: Record<string, string> = {}, deadlineMs = 0): Event {
    const event = create(EventSchema, {
      id: randomUUID(),
      kind,
      timeMs: BigInt(Math.round(this.clock.now())),
      message,
      attributes,
      deadlineMs: BigInt(Math.round(deadlineMs)),
    });
    this.queue.push(event);
    if (this.queue.length > this.capacity) {
      this.queue.shift();
      this.dropped += 1;
    }
    this.flush();
    return event;
  }

  shutdown(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length > 0) this.log.warn('events not delivered at shutdown', { count: this.queue.length });
  }

  private flush(): void {
    if (!this.transport.connected) {
      this.timer ??= this.clock.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.retryMs);
      return;
    }
    for (const e of this.queue.splice(0)) {
      this.transport.sendEvent(e);
      this.sent += 1;
    }
  }
}

export { EventKind };
