import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface PollState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again now (after an action, or on a stream event), without waiting for the timer. */
  reload: () => void;
}

/**
 * Calls `load` now and then `intervalMs` after each completion (0 = once). Chained timeouts
 * (not setInterval) so a slow hub never gets overlapping requests from one view. The last
 * good data is kept through errors so a blip does not blank the screen.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, deps: readonly unknown[] = []): PollState<T> {
  const [state, setState] = useState<Omit<PollState<T>, 'reload'>>({ data: undefined, error: undefined, loading: true });
  const kick = useRef<() => void>(() => {});
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const abort = new AbortController();
    let timer: number | undefined;
    let running = false;
    let again = false;

    const tick = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      window.clearTimeout(timer);
      try {
        const data = await loadRef.current(abort.signal);
        if (abort.signal.aborted) return;
        setState({ data, error: undefined, loading: false });
      } catch (err) {
        if (abort.signal.aborted) return;
        const error = err instanceof Error ? err : new Error(String(err));
        setState((s) => ({ data: s.data, error, loading: false }));
      } finally {
        running = false;
      }
      if (again) {
        again = false;
        void tick();
      } else if (intervalMs > 0) timer = window.setTimeout(tick, intervalMs);
    };
    kick.current = () => void tick();
    setState((s) => ({ ...s, loading: true }));
    void tick();

    return () => {
      abort.abort();
      window.clearTimeout(timer);
      kick.current = () => {};
    };
  }, [intervalMs, ...deps]);

  const reload = useCallback(() => kick.current(), []);
  return { ...state, reload };
}
