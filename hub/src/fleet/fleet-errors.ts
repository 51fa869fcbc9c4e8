import { ApiError } from '../errors/api-error.ts';
import { StoreError } from '../store/store-error.ts';
import type { AgentSource, ClientDirectory } from './fleet-sources.ts';

/** Runs a fleet read, answering a metrics-store failure as the registry's STORE_UNAVAILABLE (503). */
export async function fleetRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof StoreError) throw new ApiError('STORE_UNAVAILABLE', `${err.message}: try again shortly`, undefined, { cause: err });
    throw err;
  }
}

/**
 * The client `id` when the caller may see it: its own tenant (or any, for hub staff), known
 * to the directory or to the fleet (agents of a client not registered yet). Otherwise the
 * same 404 an unknown id gets, so a tenant never learns another client exists.
 */
export async function visibleClient(
  tenant: string | null,
  id: string,
  directory: ClientDirectory,
  agents: AgentSource,
): Promise<{ id: string; name: string }> {
  const notFound = new ApiError('NOT_FOUND', `no client ${id}`, 'id');
  if (tenant !== null && tenant !== id) throw notFound;
  const client = await directory.getClient(id);
  if (client) return client;
  if ((await agents.list(id)).length > 0) return { id, name: id };
  throw notFound;
}
