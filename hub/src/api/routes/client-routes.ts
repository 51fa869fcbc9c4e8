import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../auth/audit-trail.ts';
import type { AuthRuntime } from '../../auth/auth-runtime.ts';
import { tenantOf } from '../../auth/principal.ts';
import { clientId, object } from '../../auth/schemas.ts';
import { ApiError } from '../../errors/api-error.ts';
import { type ClientRecord, type ClusterRecord, TenantRepository } from '../../state/repositories/tenant-repository.ts';
import { strictlyValidated } from '../strict-body.ts';

const createBody = object({ id: clientId, name: { type: 'string', minLength: 1, maxLength: 200 } }, ['id', 'name']);

const iso = (ms: number) => new Date(ms).toISOString();
const clusterView = (c: ClusterRecord) => ({ id: c.id, name: c.name, createdAt: iso(c.createdAt) });
const clientView = (c: ClientRecord, clusters: ClusterRecord[]) => ({
  id: c.id,
  name: c.name,
  createdAt: iso(c.createdAt),
  clusters: clusters.map(clusterView),
});

/**
 * Clients (tenants): GET /api/v1/clients lists the ones the caller may see (a tenant's
 * user: their own) with their clusters; POST creates one (hub admins only, by the route
 * policy).
 */
export function registerClientRoutes(app: FastifyInstance, rt: AuthRuntime): void {
  app.get('/api/v1/clients', strictlyValidated({ querystring: object({}) }), async (request) => {
    const tenants = new TenantRepository(rt.store);
    const scope = tenantOf(request);
    const clients = scope === null ? await tenants.listClients() : [await tenants.getClient(scope)].filter((c) => c !== null);
    return { clients: await Promise.all(clients.map(async (c) => clientView(c, await tenants.listClusters(c.id)))) };
  });

  app.post('/api/v1/clients', strictlyValidated({ body: createBody }), async (request, reply) => {
    const b = request.body as { id: string; name: string };
    const now = rt.now();
    const client = await rt.store.transaction(async (tx) => {
      const tenants = new TenantRepository(tx);
      if (await tenants.getClient(b.id)) throw new ApiError('CONFLICT', `client ${b.id} exists`, 'id');
      const c = await tenants.createClient(b, now);
      await recordAudit(
        tx,
        request,
        { action: 'client.create', target: `client:${c.id}`, result: 'success', clientId: c.id, details: { name: c.name } },
        now,
      );
      return c;
    });
    return reply.code(201).send(clientView(client, []));
  });
}
