import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../../auth/audit-trail.ts';
import type { AuthRuntime } from '../../auth/auth-runtime.ts';
import { actorOf } from '../../auth/principal.ts';
import { clientId, clusterId, object, uuid } from '../../auth/schemas.ts';
import { newSecret } from '../../auth/secret-token.ts';
import { clientFor, notFound } from '../../auth/tenant-scope.ts';
import { enrolmentTokenView } from '../../auth/views.ts';
import { badParameter } from '../../errors/api-error.ts';
import { EnrolmentTokenRepository } from '../../state/repositories/enrolment-token-repository.ts';
import { TenantRepository } from '../../state/repositories/tenant-repository.ts';
import { strictlyValidated } from '../strict-body.ts';

const DAY = 86_400_000;
const clusterParams = object({ id: clusterId }, ['id']);
const tokenParams = object({ id: clusterId, tokenId: uuid }, ['id', 'tokenId']);
const clientQuery = object({ client: clientId });
const createBody = object({ name: { type: 'string', maxLength: 100 }, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 } });

/**
 * The client of the cluster a request names. Cluster ids are unique per client only, so
 * hub staff name the client with `?client=` when the id is ambiguous (or the cluster is
 * new); a tenant's admin always means their own. `create`: a cluster not seen yet is
 * registered, so its agents can be enrolled before the first one connects.
 */
async function clusterOf(rt: AuthRuntime, request: FastifyRequest, create: boolean): Promise<{ clientId: string; clusterId: string }> {
  const { id } = request.params as { id: string };
  const named = clientFor(request, (request.query as { client?: string }).client, 'client');
  const owners = await new EnrolmentTokenRepository(rt.store).clusterOwners(id);
  let client = named;
  if (client === null) {
    if (owners.length > 1) throw badParameter('client', `cluster ${id} exists in clients ${owners.join(', ')}: name one with ?client=`);
    if (owners.length === 0 && create) throw badParameter('client', `cluster ${id} is new: name its client with ?client=`);
    client = owners[0] ?? null;
  }
  if (client === null) throw notFound('cluster', id);
  if (!owners.includes(client)) {
    if (!create) throw notFound('cluster', id);
    const tenants = new TenantRepository(rt.store);
    if (!(await tenants.getClient(client))) throw notFound('client', client, 'client');
    await tenants.ensureCluster(client, id, rt.now());
  }
  return { clientId: client, clusterId: id };
}

/**
 * Agent enrolment tokens, for admins: GET/POST /api/v1/clusters/{id}/enrolment-tokens and
 * DELETE …/{tokenId}. The token is in the creation answer only; the gateway checks it with
 * verifyEnrolment (auth/enrolment.ts).
 */
export function registerEnrolmentRoutes(app: FastifyInstance, rt: AuthRuntime): void {
  const base = '/api/v1/clusters/:id/enrolment-tokens';

  app.get(base, strictlyValidated({ params: clusterParams, querystring: clientQuery }), async (request) => {
    const c = await clusterOf(rt, request, false);
    const now = rt.now();
    return { tokens: (await new EnrolmentTokenRepository(rt.store).list(c.clientId, c.clusterId)).map((t) => enrolmentTokenView(t, now)) };
  });

  app.post(base, strictlyValidated({ params: clusterParams, querystring: clientQuery, body: createBody }), async (request, reply) => {
    const b = (request.body ?? {}) as { name?: string; expiresInDays?: number };
    const c = await clusterOf(rt, request, true);
    const now = rt.now();
    const secret = newSecret('enrolment');
    const token = await rt.store.transaction(async (tx) => {
      const t = await new EnrolmentTokenRepository(tx).create(
        {
          tokenHash: secret.hash,
          prefix: secret.prefix,
          ...c,
          name: b.name ?? '',
          createdBy: actorOf(request),
          expiresAt: b.expiresInDays === undefined ? null : now + b.expiresInDays * DAY,
        },
        now,
      );
      const details = { clusterId: c.clusterId, name: t.name, prefix: t.prefix };
      await recordAudit(
        tx,
        request,
        { action: 'enrolment-token.create', target: `enrolment-token:${t.id}`, result: 'success', clientId: c.clientId, details },
        now,
      );
      return t;
    });
    return reply.code(201).send({ ...enrolmentTokenView(token, now), token: secret.token });
  });

  app.delete(`${base}/:tokenId`, strictlyValidated({ params: tokenParams, querystring: clientQuery }), async (request, reply) => {
    const { tokenId } = request.params as { tokenId: string };
    const c = await clusterOf(rt, request, false);
    const now = rt.now();
    await rt.store.transaction(async (tx) => {
      const t = await new EnrolmentTokenRepository(tx).revoke(c.clientId, c.clusterId, tokenId, now);
      if (!t) throw notFound('enrolment token', tokenId, 'tokenId');
      const details = { clusterId: c.clusterId, name: t.name, prefix: t.prefix };
      await recordAudit(
        tx,
        request,
        { action: 'enrolment-token.revoke', target: `enrolment-token:${tokenId}`, result: 'success', clientId: c.clientId, details },
        now,
      );
    });
    return reply.code(204).send();
  });
}
