import type { ComponentChildren } from 'preact';
import type { PollState } from '../lib/use-poll.ts';
import { ErrorBanner } from './error-banner.tsx';

interface Props<T> {
  state: Pick<PollState<T>, 'data' | 'error' | 'loading'>;
  /** e.g. "jobs": used in "Loading jobs…" and "Could not load jobs". */
  noun: string;
  isEmpty?: (data: T) => boolean;
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}

/** The loading, error and empty states every page shows the same way. Stale data stays visible under an error. */
export function AsyncView<T>({ state, noun, isEmpty, empty, children }: Props<T>) {
  const { data, error, loading } = state;
  return (
    <>
      {error && <ErrorBanner error={error} what={`Could not load ${noun}`} testId={`${noun.replaceAll(' ', '-')}-error`} />}
      {data === undefined && loading && (
        <p class="muted" aria-busy="true">
          Loading {noun}…
        </p>
      )}
      {data !== undefined && isEmpty?.(data) ? (
        <p class="empty" data-testid={`${noun.replaceAll(' ', '-')}-empty`}>
          {empty ?? `No ${noun} yet`}
        </p>
      ) : (
        data !== undefined && children(data)
      )}
    </>
  );
}
