import { type Clock, type Logger, systemClock } from '@ballast/common';
import { type Hello, HelloSchema, Lifecycle, RejectReason } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import type { Collector, Sample } from './collectors/collector.ts';
import type { AgentConfig } from './config/agent-config.ts';
import type { InstanceIdentity } from './imds/instance-identity.ts';
import { BatchBuffer } from './pipeline/batch-buffer.ts';
import { BatchBuilder } from './pipeline/batch-builder.ts';
import { SeriesRegistry } from './pipeline/series-registry.ts';
import type { Transport } from './transport/transport.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentStats {
  epoch: string;
  lastSequence: string;
  batchesAcked: number;
  batchesRejected: number;
  bufferedBatches: number;
  bufferedPoints: number;
  droppedBatches: number;
  droppedPoints: number;
  droppedSeries: number;
  collectErrors: number;
  connected: boolean;
  series: number;
}

/**
 * One node agent: collects on an interval, batches, buffers until acked, and streams over
 * the transport. Start/Shutdown lifecycle; shutdown is safe before start.
 */
export class Agent {
  readonly epoch: bigint;
  private readonly registry: SeriesRegistry;
  private readonly builder: BatchBuilder;
  private readonly buffer: BatchBuffer;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private cycle: Promise<void> = Promise.resolve();
  private running = false;
  private batchesAcked = 0;
  private batchesRejected = 0;
  collectErrors = 0;
  /** Set before start from IMDS; falls back to the config's values. */
  identity: InstanceIdentity | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly collectors: Collector[],
    private readonly transport: Transport,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
    epoch?: bigint,
  ) {
    // A new epoch per process: sequence numbers restart with it, and the hub dedupes per epoch.
    this.epoch = epoch ?? BigInt(clock.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
    this.registry = new SeriesRegistry(config.maxSeries);
    this.builder = new BatchBuilder(this.registry);
    this.buffer = new BatchBuffer(config.bufferMaxPoints);
  }

  async start(): Promise<void> {
    for (const c of this.collectors) await c.start();
    this.running = true;
    this.transport.start({
      hello: () => this.hello(),
      dictionary: () => this.registry.all(),
      pending: () => this.buffer.pending(),
      onWelcome: (w) => {
        const dropped = this.buffer.removeUpTo(w.storedSequence);
        if (dropped > 0) this.log.info('hub already stored buffered batches', { upTo: w.storedSequence, dropped });
      },
      onAck: (seq) => {
        if (this.buffer.remove(seq)) this.batchesAcked += 1;
      },
      onReject: (seq, reason, message) => {
        if (this.buffer.remove(seq)) this.batchesRejected += 1;
        this.log.error('hub rejected a batch; it is dropped', { sequence: seq, reason: RejectReason[reason], message });
      },
      onCommand: (c) => this.log.info('command received; not supported yet', { id: c.id, kind: c.kind.case }),
      onDisconnect: (reason) => this.log.warn('disconnected from hub', { reason, buffered: this.buffer.size }),
    });
    this.schedule(0);
  }

  /** Stops collecting, waits up to shutdownFlushMs for the hub to ack what is buffered, then closes. */
  async shutdown(): Promise<AgentStats> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.cycle;
    const deadline = this.clock.now() + this.config.shutdownFlushMs;
    while (this.buffer.size > 0 && this.clock.now() < deadline) await new Promise<void>((r) => this.clock.setTimeout(r, 50));
    await this.transport.shutdown();
    for (const c of this.collectors) await c.shutdown();
    return this.stats();
  }

  stats(): AgentStats {
    return {
      epoch: this.epoch.toString(),
      lastSequence: this.builder.lastSequence.toString(),
      batchesAcked: this.batchesAcked,
      batchesRejected: this.batchesRejected,
      bufferedBatches: this.buffer.size,
      bufferedPoints: this.buffer.pointCount,
      droppedBatches: this.buffer.droppedBatches,
      droppedPoints: this.buffer.droppedPoints,
      droppedSeries: this.builder.droppedSeries,
      collectErrors: this.collectErrors,
      connected: this.transport.connected,
      series: this.registry.size,
    };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      const started = this.clock.now();
      this.cycle = this.collectOnce().finally(() => {
        const elapsed = this.clock.now() - started;
        this.schedule(Math.max(0, this.config.collectIntervalMs - elapsed));
      });
    }, delayMs);
  }

  private async collectOnce(): Promise<void> {
    const now = this.clock.now();
    const samples: Sample[] = [];
    for (const c of this.collectors) {
      try {
        samples.push(...(await c.collect()));
      } catch (err) {
        this.collectErrors += 1;
        this.log.warn('collector failed', { collector: c.name, err });
      }
    }
    const batch = this.builder.build(samples, now);
    if (!batch) return;
    this.buffer.add(batch);
    this.transport.sendDictionary(this.registry.takeNew());
    this.transport.sendBatch(batch);
  }

  private hello(): Hello {
    const c = this.config;
    const id = this.identity ?? {
      instanceId: c.instanceId,
      instanceType: c.instanceType,
      availabilityZone: c.availabilityZone,
      lifecycle: c.lifecycle,
    };
    return create(HelloSchema, {
      tenant: c.tenant,
      cluster: c.cluster,
      node: c.node,
      instanceId: id.instanceId,
      instanceType: id.instanceType,
      availabilityZone: id.availabilityZone,
      lifecycle: id.lifecycle === 'spot' ? Lifecycle.SPOT : id.lifecycle === 'on-demand' ? Lifecycle.ON_DEMAND : Lifecycle.UNSPECIFIED,
      agentVersion: AGENT_VERSION,
      capabilities: ['metrics.node'],
      epoch: this.epoch,
    });
  }
}
