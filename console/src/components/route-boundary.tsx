import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';

/** One per route: a page that throws while rendering shows this, and the navigation still works. */
export function RouteBoundary({ children }: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary((err: unknown) => console.error('console: page crashed', err));
  if (error) {
    return (
      <div class="banner error" role="alert" data-testid="page-crashed">
        <strong>This page failed to draw:</strong> {error instanceof Error ? error.message : String(error)}{' '}
        <button type="button" class="btn" onClick={reset}>
          Try again
        </button>
      </div>
    );
  }
  return <>{children}</>;
}
