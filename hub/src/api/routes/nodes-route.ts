import type { FastifyInstance } from 'fastify';
import type { AgentRegistry } from '../../ingest/agent-registry.ts';

/** GET /api/v1/nodes: every node whose agent this hub has seen. */
export function registerNodesRoute(
  app: FastifyInstance,
  deps: { registry: AgentRegistry; tenantOf: (request: unknown) => string | null },
): void {
  app.get(
    '/api/v1/nodes',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } },
    async (request) => {
      const agents = await deps.registry.list(deps.tenantOf(request));
      return {
        nodes: agents.map((a) => ({
          tenant: a.tenant,
          cluster: a.cluster,
          node: a.node,
          instanceId: a.instanceId,
          instanceType: a.instanceType,
          availabilityZone: a.availabilityZone,
          lifecycle: a.lifecycle,
          agentVersion: a.agentVersion,
          connected: a.connected,
          lastSeen: new Date(a.lastSeenMs).toISOString(),
        })),
      };
    },
  );
}
