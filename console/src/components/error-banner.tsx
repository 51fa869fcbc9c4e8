import { ApiError, errorMessage } from '../api/api-error.ts';

interface Props {
  error: unknown;
  /** What failed, e.g. "Could not load jobs". */
  what: string;
  testId?: string;
}

/** An error state: the hub's own message, and a plain word when the endpoint does not exist on this hub. */
export function ErrorBanner({ error, what, testId }: Props) {
  const missing = error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND' && /route|not found/i.test(error.message);
  return (
    <div class="banner error" role="alert" data-testid={testId ?? 'error'}>
      <strong>{what}:</strong> {errorMessage(error)}
      {missing && <span class="muted"> — this hub does not offer it yet.</span>}
    </div>
  );
}
