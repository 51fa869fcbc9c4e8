import type { FastifyReply } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { JobError } from './job-error.ts';

/**
 * A JobError in the API's terms. Until JobError has a line in the component-error
 * registry, routes map it here (and rethrow anything else for the registry).
 */
export function jobToApiError(err: unknown): unknown {
  if (!(err instanceof JobError)) return err;
  switch (err.code) {
    case 'unknown-kind':
    case 'bad-params':
      return new ApiError('BAD_PARAMETER', err.message, err.field, { cause: err });
    case 'not-found':
      return new ApiError('NOT_FOUND', err.message, err.field, { cause: err });
    case 'invalid-state':
    case 'self-approval':
    case 'refused':
      return new ApiError('CONFLICT', err.message, err.field, { cause: err });
    default:
      return new ApiError('INTERNAL', err.message, undefined, { cause: err });
  }
}

/**
 * Runs a route body, answering JobErrors as API errors. A refusal or unknown targets also
 * list each target with its reason (`refused`), so a client can show them one by one.
 */
export async function answering<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await fn();
  } catch (err) {
    const mapped = jobToApiError(err);
    if (err instanceof JobError && mapped instanceof ApiError && err.targets.length > 0) {
      return reply.code(mapped.status).send({ ...mapped.toBody(), refused: err.targets });
    }
    throw mapped;
  }
}
