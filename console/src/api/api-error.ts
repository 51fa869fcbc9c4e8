/** An API failure carrying the hub's error code and message, so the UI can show them verbatim. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** The request field the hub refused, when it named one: forms put the message beside it. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  /** 404 from a route the hub does not have yet reads differently from a missing object. */
  get notFound(): boolean {
    return this.status === 404;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; parameter?: unknown; field?: unknown };
}

/** Maps any failed response to an ApiError: the hub's `{error:{code,message,parameter|field}}` when present. */
export async function toApiError(res: Response): Promise<ApiError> {
  const fallback = `HTTP ${res.status} ${res.statusText}`.trim();
  let body: ErrorBody | undefined;
  try {
    body = (await res.json()) as ErrorBody;
  } catch (cause) {
    // Proxies and crashed hubs answer with HTML or nothing; keep the status in that case.
    return new ApiError(fallback, res.status, 'HTTP_ERROR', undefined, { cause });
  }
  const e = body?.error;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : fallback;
  const code = typeof e?.code === 'string' ? e.code : 'HTTP_ERROR';
  const field = typeof e?.parameter === 'string' ? e.parameter : typeof e?.field === 'string' ? e.field : undefined;
  return new ApiError(message, res.status, code, field);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 403) return `Not allowed: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
