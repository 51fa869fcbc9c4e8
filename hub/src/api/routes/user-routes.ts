import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../auth/audit-trail.ts';
import type { AuthRuntime } from '../../auth/auth-runtime.ts';
import { hashPassword } from '../../auth/password-hash.ts';
import { principalOf, tenantOf } from '../../auth/principal.ts';
import type { Role } from '../../auth/roles.ts';
import { clientId, displayName, newPassword, object, role, username, uuid } from '../../auth/schemas.ts';
import { clientFor, visibleOr404 } from '../../auth/tenant-scope.ts';
import { changeDetails, changeUser, keepOneHubAdmin, userClient } from '../../auth/user-changes.ts';
import { userView } from '../../auth/views.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { UserChange } from '../../state/repositories/user-repository.ts';
import { UserRepository } from '../../state/repositories/user-repository.ts';
import { strictlyValidated } from '../strict-body.ts';

const nullableClient = { anyOf: [clientId, { type: 'null' }] };
const listQuery = object({ client: clientId });
const idParams = object({ id: uuid }, ['id']);
const createBody = object({ username, name: displayName, password: newPassword, role, clientId: nullableClient }, [
  'username',
  'password',
  'role',
]);
const patchBody = object({ name: displayName, role, password: newPassword, disabled: { type: 'boolean' }, clientId: nullableClient }, [], {
  minProperties: 1,
});

/**
 * Users, for admins: GET/POST /api/v1/users, PATCH/DELETE /api/v1/users/{id}. A tenant's admin manages that tenant's users only;
 * another tenant's user is a 404. Every change is audited in its own transaction. (A
 * user's own account, /api/v1/me, is in auth-routes.ts.)
 */
export function registerUserRoutes(app: FastifyInstance, rt: AuthRuntime): void {
  app.get('/api/v1/users', strictlyValidated({ querystring: listQuery }), async (request) => {
    const { client } = request.query as { client?: string };
    const scope = client === undefined ? tenantOf(request) : clientFor(request, client, 'client');
    return { users: (await new UserRepository(rt.store).list(scope)).map(userView) };
  });

  app.post('/api/v1/users', strictlyValidated({ body: createBody }), async (request, reply) => {
    const b = request.body as { username: string; name?: string; password: string; role: Role; clientId?: string | null };
    const now = rt.now();
    const clientId = await userClient(rt.store, request, b.clientId);
    const passwordHash = await hashPassword(b.password, rt.settings.scrypt);
    const user = await rt.store.transaction(async (tx) => {
      if (await new UserRepository(tx).credentials(b.username))
        throw new ApiError('CONFLICT', `username ${b.username} is taken`, 'username');
      const u = await new UserRepository(tx).create(
        { username: b.username, name: b.name ?? '', role: b.role, clientId, passwordHash },
        now,
      );
      await recordAudit(
        tx,
        request,
        { action: 'user.create', target: `user:${u.id}`, result: 'success', clientId, details: { username: u.username, role: u.role } },
        now,
      );
      return u;
    });
    return reply.code(201).send(userView(user));
  });

  app.patch('/api/v1/users/:id', strictlyValidated({ params: idParams, body: patchBody }), async (request) => {
    const { id } = request.params as { id: string };
    const b = request.body as { name?: string; role?: Role; password?: string; disabled?: boolean; clientId?: string | null };
    const now = rt.now();
    const before = visibleOr404(request, await new UserRepository(rt.store).get(null, id), 'user', id);
    const change: UserChange = { name: b.name, role: b.role, disabled: b.disabled };
    if (b.clientId !== undefined) change.clientId = await userClient(rt.store, request, b.clientId);
    if (b.password !== undefined) change.passwordHash = await hashPassword(b.password, rt.settings.scrypt);
    const after = await rt.store.transaction(async (tx) => {
      const u = await changeUser(tx, before, change, now);
      await recordAudit(
        tx,
        request,
        { action: 'user.update', target: `user:${id}`, result: 'success', clientId: u.clientId, details: changeDetails(change) },
        now,
      );
      return u;
    });
    // A role, client, password or disabled flag changes what its sessions and tokens may do: ask the store again.
    rt.forgetCredentials();
    return userView(after);
  });

  app.delete('/api/v1/users/:id', strictlyValidated({ params: idParams }), async (request, reply) => {
    const { id } = request.params as { id: string };
    const now = rt.now();
    const user = visibleOr404(request, await new UserRepository(rt.store).get(null, id), 'user', id);
    if (user.id === principalOf(request).userId) throw new ApiError('CONFLICT', 'you cannot delete yourself: ask another admin', 'id');
    await rt.store.transaction(async (tx) => {
      await keepOneHubAdmin(tx, user, null);
      await new UserRepository(tx).delete(id);
      await recordAudit(
        tx,
        request,
        { action: 'user.delete', target: `user:${id}`, result: 'success', clientId: user.clientId, details: { username: user.username } },
        now,
      );
    });
    rt.forgetCredentials();
    return reply.code(204).send();
  });
}
