import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { openStream, type StreamEvent } from '../api/stream.ts';

/** Whether the live stream is connected, for the shell's indicator. */
export const streamState = signal<'connecting' | 'open' | 'reconnecting' | 'unavailable'>('connecting');

/**
 * Subscribes for the life of the component. The handler is read through a ref so a re-render
 * never reopens the connection (and so never loses events in between).
 */
export function useStream(kinds: readonly string[] | undefined, onEvent: (e: StreamEvent) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = kinds?.join(',') ?? '';
  useEffect(() => {
    const h = openStream({
      kinds,
      onEvent: (e) => handler.current(e),
      onState: (s) => {
        streamState.value = s;
      },
    });
    return () => h.close();
  }, [key]);
}
