import type { Clock, Logger } from '@ballast/common';
import { AgentRegistry } from '../ingest/agent-registry.ts';
import type { AgentRecord, MetricsStore } from '../store/metrics-store.ts';
import type { EventBus } from './event-bus.ts';

/**
 * The agent registry, publishing an agent's first stream opening (agent-connected) and its
 * last stream closing (agent-disconnected) to the live stream. A second stream of an agent
 * already connected publishes nothing, as the registry keeps it connected.
 */
export class StreamingAgentRegistry extends AgentRegistry {
  constructor(
    store: MetricsStore,
    private readonly streamClock: Clock,
    log: Logger,
    private readonly bus: EventBus,
    persistEveryMs?: number,
  ) {
    super(store, streamClock, log, persistEveryMs);
  }

  override async connected(record: Omit<AgentRecord, 'connected' | 'lastSeenMs'>): Promise<void> {
    const before = this.get(record.tenant, record.cluster, record.node)?.connected === true;
    const done = super.connected(record);
    if (!before) {
      this.bus.publish({
        kind: 'agent-connected',
        tenant: record.tenant,
        cluster: record.cluster,
        node: record.node,
        at: this.streamClock.now(),
        data: {
          instanceId: record.instanceId,
          instanceType: record.instanceType,
          availabilityZone: record.availabilityZone,
          lifecycle: record.lifecycle,
          agentVersion: record.agentVersion,
        },
      });
    }
    await done;
  }

  override async disconnected(tenant: string, cluster: string, node: string): Promise<void> {
    const before = this.get(tenant, cluster, node)?.connected === true;
    const done = super.disconnected(tenant, cluster, node);
    const record = this.get(tenant, cluster, node);
    if (before && record && !record.connected) {
      this.bus.publish({
        kind: 'agent-disconnected',
        tenant,
        cluster,
        node,
        at: this.streamClock.now(),
        data: { instanceId: record.instanceId, lastSeen: new Date(record.lastSeenMs).toISOString() },
      });
    }
    await done;
  }
}
