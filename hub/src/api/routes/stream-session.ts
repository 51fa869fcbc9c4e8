import type { Clock } from '@ballast/common';
import type { EventBus, ResetReason, Subscription } from '../../stream/event-bus.ts';
import type { StreamEvent, StreamFilter } from '../../stream/stream-event.ts';

/** How one transport (WebSocket, SSE) frames and sends a subscriber's messages. */
export interface StreamTransport {
  readonly name: 'websocket' | 'sse';
  /** Sends one framed message; answers the bytes the peer has not read yet. */
  send(frame: string): number;
  /** Ends the connection because its reader fell behind (the session has already stopped). */
  dropSlow(): void;
  /** Asked before each heartbeat: false ends the session (the peer stopped answering). */
  beforeHeartbeat?(): boolean;
  ready(cursor: string): string;
  event(e: StreamEvent, cursor: string): string;
  reset(reason: ResetReason, message: string, cursor: string): string;
  heartbeat(at: string, cursor: string): string;
}

export interface StreamSessionDeps {
  bus: EventBus;
  clock: Clock;
  heartbeatMs: number;
  maxBufferedBytes: number;
  onDrop?: (info: { transport: 'websocket' | 'sse'; bufferedBytes: number }) => void;
}

/** The event as both transports carry it. */
export function eventBody(e: StreamEvent, cursor: string) {
  return {
    cursor,
    id: e.id,
    kind: e.kind,
    tenant: e.tenant,
    cluster: e.cluster,
    node: e.node,
    at: new Date(e.at).toISOString(),
    data: e.data,
  };
}

/**
 * One subscriber's life, the same over every transport: subscribe (replaying from the cursor),
 * send "ready", heartbeat on a timer, and drop the subscriber once its unsent output passes
 * maxBufferedBytes so a slow reader never holds the hub's memory. Answers stop(), which the
 * transport calls when its connection closes or fails; stopping twice is harmless.
 */
export function startStreamSession(
  t: StreamTransport,
  sub: { filter: StreamFilter; cursor: string | undefined },
  deps: StreamSessionDeps,
): { stop: () => void } {
  let subscription: Subscription | null = null;
  let timer: ReturnType<Clock['setTimeout']> | null = null;
  let open = true;
  const stop = () => {
    open = false;
    subscription?.close();
    subscription = null;
    if (timer) deps.clock.clearTimeout(timer);
    timer = null;
  };
  const send = (frame: string) => {
    if (!open) return;
    const bufferedBytes = t.send(frame);
    if (bufferedBytes > deps.maxBufferedBytes) {
      stop();
      deps.onDrop?.({ transport: t.name, bufferedBytes });
      t.dropSlow();
    }
  };
  const opened = deps.bus.subscribe(sub.filter, sub.cursor, {
    event: (e, cursor) => send(t.event(e, cursor)),
    reset: (reason, message) => send(t.reset(reason, message, deps.bus.latestCursor())),
  });
  // The replay inside subscribe may already have dropped this subscriber.
  if (!open) opened.close();
  else subscription = opened;
  send(t.ready(deps.bus.latestCursor()));
  const beat = () => {
    timer = deps.clock.setTimeout(() => {
      if (!open) return;
      if (t.beforeHeartbeat && !t.beforeHeartbeat()) {
        stop();
        return;
      }
      send(t.heartbeat(new Date(deps.clock.now()).toISOString(), deps.bus.latestCursor()));
      beat();
    }, deps.heartbeatMs);
  };
  beat();
  return { stop };
}
