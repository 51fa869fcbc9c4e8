/**
 * The hub's live event stream (SSE at /api/v1/stream), resumed from the last event id after a
 * drop so no event is missed. EventSource sends Last-Event-ID itself on its own reconnects;
 * the cursor is kept here too so a stream reopened by the page (new kinds) resumes as well.
 */

export interface StreamEvent {
  /** The resume cursor of this event. */
  id: string;
  kind: string;
  /** Parsed `data:` of the event. */
  data: Record<string, unknown>;
  /** When the browser received it (performance.now()), for event-to-screen timing. */
  receivedAt: number;
}

export interface StreamOptions {
  kinds?: readonly string[];
  onEvent: (e: StreamEvent) => void;
  onState?: (state: 'open' | 'reconnecting' | 'unavailable') => void;
}

export interface StreamHandle {
  close: () => void;
}

/** The hub's event kinds; SSE sends each as a named event, which onmessage does not see. */
export const STREAM_KINDS = [
  'interruption',
  'rebalance',
  'switch-progress',
  'job-progress',
  'decision',
  'agent-connected',
  'agent-disconnected',
] as const;

let lastCursor: string | undefined;

export function streamUrl(kinds: readonly string[] | undefined, cursor: string | undefined): string {
  const q = new URLSearchParams();
  if (kinds && kinds.length > 0) q.set('kinds', kinds.join(','));
  if (cursor) q.set('cursor', cursor);
  const s = q.toString();
  return s === '' ? '/api/v1/stream' : `/api/v1/stream?${s}`;
}

function toEvent(kind: string, raw: MessageEvent<string>): StreamEvent | undefined {
  let data: Record<string, unknown>;
  try {
    const parsed = JSON.parse(raw.data) as unknown;
    data = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return undefined;
  }
  const k = typeof data.kind === 'string' ? data.kind : typeof data.type === 'string' ? data.type : kind;
  return { id: raw.lastEventId, kind: k, data, receivedAt: performance.now() };
}

/** Opens the stream. Pages keep polling regardless; the stream only makes them prompt. */
export function openStream(opts: StreamOptions): StreamHandle {
  if (typeof EventSource === 'undefined') {
    opts.onState?.('unavailable');
    return { close: () => {} };
  }
  const source = new EventSource(streamUrl(opts.kinds, lastCursor), { withCredentials: true });
  const handle = (kind: string) => (raw: Event) => {
    const e = toEvent(kind, raw as MessageEvent<string>);
    if (!e) return;
    if (e.id) lastCursor = e.id;
    opts.onEvent(e);
  };
  source.onmessage = handle('message');
  // Named SSE events (event: <kind>) do not reach onmessage; listen for each kind asked for (default all).
  for (const kind of opts.kinds ?? STREAM_KINDS) source.addEventListener(kind, handle(kind));
  source.onopen = () => opts.onState?.('open');
  source.onerror = () => opts.onState?.(source.readyState === EventSource.CLOSED ? 'unavailable' : 'reconnecting');
  return { close: () => source.close() };
}
