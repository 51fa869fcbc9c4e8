import { useEffect, useState } from 'preact/hooks';

export interface PollState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
}

/**
 * Calls `load` now and then `intervalMs` after each completion. Chained timeouts (not
 * setInterval) so a slow hub never gets overlapping requests from one view. The last good
 * data is kept through errors so a blip does not blank the screen.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, deps: readonly unknown[] = []): PollState<T> {
  const [state, setState] = useState<PollState<T>>({ data: undefined, error: undefined, loading: true });

  useEffect(() => {
    const abort = new AbortController();
    let timer: number | undefined;

    const tick = async () => {
      try {
        const data = await load(abort.signal);
        if (abort.signal.aborted) return;
        setState({ data, error: undefined, loading: false });
      } catch (err) {
        if (abort.signal.aborted) return;
        const error = err instanceof Error ? err : new Error(String(err));
        setState((s) => ({ data: s.data, error, loading: false }));
      }
      timer = window.setTimeout(tick, intervalMs);
    };
    void tick();

    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, [intervalMs, ...deps]);

  return state;
}
