/**
 * An error the API server answers with a `metav1.Status` body, shaped as Kubernetes shapes
 * them, because clients branch on `reason`, `code` and `details.causes` (kubectl drain
 * retries a 429; the informer relists on 410).
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** `qualified` is `plural` or `plural.group`, as Kubernetes prints resource names in messages. */
export const notFound = (qualified: string, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified} "${name}" not found`, detailsFor(qualified, name));

export const alreadyExists = (qualified: string, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified} "${name}" already exists`, detailsFor(qualified, name));

export const conflict = (qualified: string, name: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsFor(qualified, name),
  );

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const invalid = (qualified: string, name: string, message: string): ApiError =>
  new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${message}`, detailsFor(qualified, name));

export const methodNotAllowed = (): ApiError =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const expired = (message: string): ApiError => new ApiError(410, 'Expired', message);

export const internalError = (message: string): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

function detailsFor(qualified: string, name: string): StatusDetails {
  const dot = qualified.indexOf('.');
  const kind = dot < 0 ? qualified : qualified.slice(0, dot);
  const details: StatusDetails = { name, kind };
  if (dot >= 0) details.group = qualified.slice(dot + 1);
  return details;
}
