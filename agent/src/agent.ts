import { type Clock, type Logger, systemClock } from '@ballast/common';
import { type Command, type Hello, HelloSchema, Lifecycle, RejectReason } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import { type Collector, collectInto } from './collectors/collector.ts';
import type { AgentConfig } from './config/agent-config.ts';
import type { InstanceIdentity } from './imds/instance-identity.ts';
import { type AgentState, FileAgentState, MemoryAgentState, newEpoch } from './pipeline/agent-state.ts';
import { BatchBuffer } from './pipeline/batch-buffer.ts';
import { BatchBuilder } from './pipeline/batch-builder.ts';
import type { BatchStore } from './pipeline/batch-store.ts';
import { DiskBatchStore } from './pipeline/disk-buffer.ts';
import { MemoryLimiter } from './pipeline/memory-limiter.ts';
import type { FsyncPolicy } from './pipeline/record-file.ts';
import { SeriesRegistry } from './pipeline/series-registry.ts';
import type { Transport } from './transport/transport.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentStats {
  epoch: string;
  lastSequence: string;
  batchesAcked: number;
  batchesRejected: number;
  bufferKind: BatchStore['kind'];
  bufferedBatches: number;
  bufferedPoints: number;
  bufferBytes: number;
  droppedBatches: number;
  droppedPoints: number;
  shedBatches: number;
  shedPoints: number;
  corruptRecords: number;
  bufferErrors: number;
  droppedSeries: number;
  collectErrors: number;
  connected: boolean;
  series: number;
}

export interface AgentOptions {
  clock?: Clock;
  /** Epoch of the default in-memory state (tests); ignored when state is given or bufferDir is set. */
  epoch?: bigint;
  /**
   * Where un-acked batches wait. Default: a {@link DiskBatchStore} under config.bufferDir
   * when set, else a {@link BatchBuffer} in memory. start() opens it; shutdown() closes it.
   */
  store?: BatchStore;
  /** Epoch, last sequence and series dictionary; default: state.bin/series.log under bufferDir, else in memory. */
  state?: AgentState;
}

const MIB = 1024 * 1024;

/**
 * One node agent: collects on an interval, batches, buffers until acked, and streams over
 * the transport. Start/Shutdown lifecycle; shutdown is safe before start.
 *
 * With a buffer directory, a restarted agent keeps its epoch, continues its sequence and
 * series ids, and replays what the hub had not acked with the original sequence numbers;
 * the hub drops the ones it had already stored.
 */
export class Agent {
  private readonly clock: Clock;
  private readonly openOnStart: boolean;
  private state: AgentState;
  private store: BatchStore;
  private registry!: SeriesRegistry;
  private builder!: BatchBuilder;
  private limiter: MemoryLimiter | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private cycle: Promise<void> = Promise.resolve();
  private running = false;
  private batchesAcked = 0;
  private batchesRejected = 0;
  private bufferErrors = 0;
  collectErrors = 0;
  /** Set before start from IMDS; falls back to the config's values. */
  identity: InstanceIdentity | null = null;
  /** Hub commands; set before start (the acting side is built after identity is known). */
  commandHandler: ((command: Command) => void) | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly collectors: Collector[],
    private readonly transport: Transport,
    private readonly log: Logger,
    options: AgentOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.openOnStart = !options.store && !options.state && config.bufferDir !== '';
    // Without a disk buffer, a new epoch per process: sequences restart with it, and the hub dedupes per epoch.
    this.state = options.state ?? new MemoryAgentState(options.epoch ?? newEpoch(this.clock.now()));
    this.store = options.store ?? new BatchBuffer(config.bufferMaxPoints);
    this.wire();
  }

  get epoch(): bigint {
    return this.state.epoch;
  }

  async start(): Promise<void> {
    if (this.openOnStart) this.openDataDir();
    await this.store.open();
    // A crash between storing a batch and recording its sequence leaves the store one ahead.
    if (this.store.highestSequence > this.state.lastSequence) this.state.recordSequence(this.store.highestSequence);
    this.wire();
    if (this.store.kind === 'disk' || this.store.size > 0) {
      this.log.info('buffer opened', {
        kind: this.store.kind,
        dir: this.config.bufferDir,
        epoch: this.epoch,
        lastSequence: this.state.lastSequence,
        pendingBatches: this.store.size,
        pendingPoints: this.store.pointCount,
        series: this.registry.size,
        droppedBatches: this.store.droppedBatches,
        corruptRecords: this.store.corruptRecords + this.state.corruptRecords,
      });
    }
    for (const c of this.collectors) await c.start();
    this.running = true;
    this.transport.start({
      hello: () => this.hello(),
      dictionary: () => this.registry.all(),
      replay: () => this.store.replay(),
      onWelcome: (w) =>
        this.guard('welcome', () => {
          if (w.storedSequence > this.builder.lastSequence) {
            // The hub holds sequences this agent does not remember handing out (its state lost a
            // tail, e.g. in a power cut): continue after them, or new batches would be dropped as duplicates.
            this.log.warn('hub is ahead of this agent; skipping sequences', { from: this.builder.lastSequence, to: w.storedSequence });
            this.builder.skipTo(w.storedSequence);
            this.state.recordSequence(w.storedSequence);
          }
          const dropped = this.store.removeUpTo(w.storedSequence);
          if (dropped > 0) this.log.info('hub already stored buffered batches', { upTo: w.storedSequence, dropped });
        }),
      onAck: (seq) =>
        this.guard('ack', () => {
          if (this.store.remove(seq)) this.batchesAcked += 1;
        }),
      onReject: (seq, reason, message) =>
        this.guard('reject', () => {
          if (this.store.remove(seq)) this.batchesRejected += 1;
          this.log.error('hub rejected a batch; it is dropped', { sequence: seq, reason: RejectReason[reason], message });
        }),
      onCommand: (c) =>
        this.commandHandler ? this.commandHandler(c) : this.log.warn('command ignored: no handler', { id: c.id, kind: c.kind.case }),
      onDisconnect: (reason) => this.log.warn('disconnected from hub', { reason, buffered: this.store.size }),
    });
    this.schedule(0);
  }

  /**
   * Stops collecting, waits up to shutdownFlushMs for the hub to ack what is buffered, closes
   * the transport, then flushes and closes the store (what is left is replayed after a restart
   * with a disk buffer).
   */
  async shutdown(): Promise<AgentStats> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.cycle;
    const deadline = this.clock.now() + this.config.shutdownFlushMs;
    while (this.store.size > 0 && this.clock.now() < deadline) await new Promise<void>((r) => this.clock.setTimeout(r, 50));
    await this.transport.shutdown();
    for (const c of this.collectors) await c.shutdown();
    await this.store.close();
    await this.state.close();
    return this.stats();
  }

  stats(): AgentStats {
    const s = this.store;
    return {
      epoch: this.epoch.toString(),
      lastSequence: this.builder.lastSequence.toString(),
      batchesAcked: this.batchesAcked,
      batchesRejected: this.batchesRejected,
      bufferKind: s.kind,
      bufferedBatches: s.size,
      bufferedPoints: s.pointCount,
      bufferBytes: s.bytes,
      droppedBatches: s.droppedBatches,
      droppedPoints: s.droppedPoints,
      shedBatches: this.limiter?.shedBatches ?? 0,
      shedPoints: this.limiter?.shedPoints ?? 0,
      corruptRecords: s.corruptRecords + this.state.corruptRecords,
      bufferErrors: this.bufferErrors,
      droppedSeries: this.builder.droppedSeries,
      collectErrors: this.collectErrors,
      connected: this.transport.connected,
      series: this.registry.size,
    };
  }

  private openDataDir(): void {
    const c = this.config;
    const state = FileAgentState.open(c.bufferDir, c.bufferFsync as FsyncPolicy, this.clock.now());
    if (state.fresh)
      this.log.info('no saved state in the buffer directory; starting a new epoch', { dir: c.bufferDir, epoch: state.epoch });
    this.state = state;
    this.store = new DiskBatchStore({
      dir: c.bufferDir,
      epoch: state.epoch,
      maxBytes: c.bufferMaxMiB * MIB,
      fsync: c.bufferFsync as FsyncPolicy,
      fsyncIntervalMs: c.bufferFsyncIntervalMs,
    });
  }

  /** (Re)builds the registry and builder on the current state, and the memory limiter for an in-memory store. */
  private wire(): void {
    const state = this.state;
    // A definition that cannot be persisted is still used (and sent); only a restart would lose it.
    this.registry = new SeriesRegistry(this.config.maxSeries, state.series, (def) => this.guard('series', () => state.recordSeries(def)));
    this.builder = new BatchBuilder(this.registry, state.lastSequence);
    const limitBytes = this.config.memoryLimitMiB * MIB;
    this.limiter = this.store instanceof BatchBuffer && limitBytes > 0 ? new MemoryLimiter(this.store, { limitBytes }) : null;
  }

  /** Buffer I/O failures (disk full, EIO) are counted and logged; they must not take the agent down. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.bufferErrors += 1;
      this.log.error('buffer operation failed', { what, err });
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      const started = this.clock.now();
      this.cycle = this.collectOnce()
        .catch((err) => {
          // Nothing here is expected to throw (buffer failures are guarded); if it does, skip the cycle, not the agent.
          this.bufferErrors += 1;
          this.log.error('collection cycle failed', { err });
        })
        .finally(() => {
          const elapsed = this.clock.now() - started;
          this.schedule(Math.max(0, this.config.collectIntervalMs - elapsed));
        });
    }, delayMs);
  }

  private async collectOnce(): Promise<void> {
    const now = this.clock.now();
    const sink = this.builder.begin();
    for (const c of this.collectors) {
      try {
        // Points a collector wrote before it failed are kept: each is a good reading.
        await collectInto(c, sink);
      } catch (err) {
        this.collectErrors += 1;
        this.log.warn('collector failed', { collector: c.name, err });
      }
    }
    const batch = this.builder.finish(now);
    if (!batch) return;
    // The cycle's new series are on the device before a batch that uses them is stored.
    // Stored before its sequence is recorded, and both before it is sent: after a crash the
    // next run neither reuses a sequence the hub may have nor misses a batch it never got.
    this.guard('series', () => this.state.syncSeries());
    this.guard('add', () => this.store.add(batch));
    this.guard('state', () => this.state.recordSequence(batch.sequence));
    this.limiter?.check();
    // If storing failed the batch is still sent: better delivered once than a gap in the sequence.
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
      enrolmentToken: c.enrolmentToken,
    });
  }
}
