import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fleetRead, visibleClient } from '../../fleet/fleet-errors.ts';
import type { FleetMetrics } from '../../fleet/fleet-metrics.ts';
import type { ClientDirectory } from '../../fleet/fleet-sources.ts';
import type { AgentRecord } from '../../store/metrics-store.ts';

export interface TopologyRouteDeps {
  metrics: FleetMetrics;
  clients: ClientDirectory;
  tenantOf: (request: FastifyRequest) => string | null;
  now: () => number;
  /** When a node joined its cluster (the decision loop reads it from Kubernetes); absent or null: unknown. */
  nodeCreatedAtMs?: (clientId: string, clusterId: string, node: string) => number | null;
}

/** A node whose agent has been gone this long is no longer shown: its instance is most likely terminated. */
export const GONE_AFTER_MS = 15 * 60_000;

const str = { type: 'string' } as const;
const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 253 } },
} as const;

const node = {
  type: 'object',
  properties: {
    node: str,
    instanceId: str,
    connected: { type: 'boolean' },
    lastSeen: { type: 'string', format: 'date-time' },
    agentVersion: str,
    launchedAt: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'When the node joined its cluster; null when the hub cannot read the cluster.',
    },
  },
} as const;

const schema = {
  description: `A client's clusters → node pools → nodes. A node pool is a Ballast pool: (instance type, availability zone,
capacity type). Clusters registered for the client but without agents appear with no pools. 404 for an unknown client
and for another tenant's.`,
  params: idParams,
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: {
    200: {
      type: 'object',
      properties: {
        client: { type: 'object', properties: { id: str, name: str } },
        clusters: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: str,
              name: str,
              nodes: { type: 'integer' },
              nodePools: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    instanceType: str,
                    zone: str,
                    capacityType: str,
                    nodes: { type: 'array', items: node },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** GET /api/v1/clients/{id}/topology. */
export function registerTopologyRoutes(app: FastifyInstance, deps: TopologyRouteDeps): void {
  app.get('/api/v1/clients/:id/topology', { schema }, async (request) => {
    const { id } = request.params as { id: string };
    const agentSource = { list: (t: string | null) => deps.metrics.agents(t) };
    const tenant = deps.tenantOf(request);
    return fleetRead(() =>
      deps.metrics.cached(`topology|${tenant ?? '*'}|${id}`, async () => {
        const client = await visibleClient(tenant, id, deps.clients, agentSource);
        const [registered, agents] = await Promise.all([deps.clients.listClusters(id), deps.metrics.agents(id)]);
        const now = deps.now();
        const present = agents.filter((a) => a.connected || now - a.lastSeenMs <= GONE_AFTER_MS);
        return {
          client: { id: client.id, name: client.name },
          clusters: clustersOf(registered, present, (cluster, node) => deps.nodeCreatedAtMs?.(id, cluster, node) ?? null),
        };
      }),
    );
  });
}

function clustersOf(
  registered: Array<{ id: string; name: string }>,
  agents: AgentRecord[],
  createdAtMs: (cluster: string, node: string) => number | null,
) {
  const clusters = new Map<string, { id: string; name: string; pools: Map<string, AgentRecord[]> }>();
  for (const c of registered) clusters.set(c.id, { id: c.id, name: c.name, pools: new Map() });
  for (const a of agents) {
    let c = clusters.get(a.cluster);
    if (!c) {
      c = { id: a.cluster, name: a.cluster, pools: new Map() };
      clusters.set(a.cluster, c);
    }
    const k = `${a.instanceType}|${a.availabilityZone}|${a.lifecycle}`;
    const pool = c.pools.get(k);
    if (pool) pool.push(a);
    else c.pools.set(k, [a]);
  }
  return [...clusters.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((c) => ({
      id: c.id,
      name: c.name,
      nodes: [...c.pools.values()].reduce((n, p) => n + p.length, 0),
      nodePools: [...c.pools.values()].map((nodes) => {
        const first = nodes[0] as AgentRecord;
        return {
          instanceType: first.instanceType,
          zone: first.availabilityZone,
          capacityType: first.lifecycle,
          nodes: nodes.map((a) => ({
            node: a.node,
            instanceId: a.instanceId,
            connected: a.connected,
            lastSeen: new Date(a.lastSeenMs).toISOString(),
            agentVersion: a.agentVersion,
            launchedAt: iso(createdAtMs(a.cluster, a.node)),
          })),
        };
      }),
    }));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
