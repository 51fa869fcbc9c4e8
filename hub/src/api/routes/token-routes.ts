import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../auth/audit-trail.ts';
import { forbidden } from '../../auth/auth-errors.ts';
import type { AuthRuntime } from '../../auth/auth-runtime.ts';
import { principalOf } from '../../auth/principal.ts';
import { type Role, roleAtLeast } from '../../auth/roles.ts';
import { clientId, object, role, uuid } from '../../auth/schemas.ts';
import { newSecret } from '../../auth/secret-token.ts';
import { clientFor, notFound } from '../../auth/tenant-scope.ts';
import { apiTokenView } from '../../auth/views.ts';
import { ApiTokenRepository } from '../../state/repositories/api-token-repository.ts';
import { TenantRepository } from '../../state/repositories/tenant-repository.ts';
import { strictlyValidated } from '../strict-body.ts';

const DAY = 86_400_000;
const createBody = object(
  {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    role,
    clientId: { anyOf: [clientId, { type: 'null' }] },
    expiresInDays: { type: 'integer', minimum: 1, maximum: 365 },
  },
  ['name'],
);
const idParams = object({ id: uuid }, ['id']);

/**
 * API tokens: GET/POST /api/v1/tokens, DELETE /api/v1/tokens/{id}. Anyone signed in may
 * make tokens for themselves, at most their own role and within their own tenant; the
 * token is in the creation answer only. Admins see and revoke every token of their scope,
 * others their own; a token they may not see is a 404.
 */
export function registerTokenRoutes(app: FastifyInstance, rt: AuthRuntime): void {
  app.get('/api/v1/tokens', strictlyValidated({ querystring: object({}) }), async (request) => {
    const p = principalOf(request);
    const tokens = await new ApiTokenRepository(rt.store).list({
      clientId: p.clientId,
      ...(p.role === 'admin' ? {} : { userId: p.userId }),
    });
    const now = rt.now();
    return { tokens: tokens.map((t) => apiTokenView(t, now)) };
  });

  app.post('/api/v1/tokens', strictlyValidated({ body: createBody }), async (request, reply) => {
    const b = request.body as { name: string; role?: Role; clientId?: string | null; expiresInDays?: number };
    const p = principalOf(request);
    const tokenRole = b.role ?? p.role;
    if (!roleAtLeast(p.role, tokenRole)) throw forbidden(`a token cannot have more than your own role (${p.role})`, 'role');
    const client = clientFor(request, b.clientId);
    if (client !== null && !(await new TenantRepository(rt.store).getClient(client))) throw notFound('client', client, 'clientId');
    const now = rt.now();
    const secret = newSecret('api');
    const token = await rt.store.transaction(async (tx) => {
      const t = await new ApiTokenRepository(tx).create(
        {
          tokenHash: secret.hash,
          prefix: secret.prefix,
          name: b.name,
          userId: p.userId,
          clientId: client,
          role: tokenRole,
          expiresAt: now + (b.expiresInDays ?? 90) * DAY,
        },
        now,
      );
      const details = { name: t.name, role: t.role, prefix: t.prefix, expiresAt: new Date(t.expiresAt).toISOString() };
      await recordAudit(
        tx,
        request,
        { action: 'token.create', target: `token:${t.id}`, result: 'success', clientId: client, details },
        now,
      );
      return t;
    });
    return reply.code(201).send({ ...apiTokenView(token, now), token: secret.token });
  });

  app.delete('/api/v1/tokens/:id', strictlyValidated({ params: idParams }), async (request, reply) => {
    const { id } = request.params as { id: string };
    const p = principalOf(request);
    const tokens = new ApiTokenRepository(rt.store);
    const token = await tokens.get(p.clientId, id);
    if (!token || (p.role !== 'admin' && token.userId !== p.userId)) throw notFound('API token', id);
    const now = rt.now();
    await rt.store.transaction(async (tx) => {
      await new ApiTokenRepository(tx).revoke(id, now);
      await recordAudit(
        tx,
        request,
        {
          action: 'token.revoke',
          target: `token:${id}`,
          result: 'success',
          clientId: token.clientId,
          details: { name: token.name, owner: token.username },
        },
        now,
      );
    });
    rt.forgetCredentials();
    return reply.code(204).send();
  });
}
