import type { Clock, Logger } from '@ballast/common';
import type { Command, CommandResult } from '@ballast/proto';
import type { AgentRecord, MetricsStore, SequenceProgress } from '../store/metrics-store.ts';
import { Coalescer } from './coalescer.ts';
import { SequenceLedger } from './sequence-ledger.ts';

export interface AgentIdentity {
  tenant: string;
  cluster: string;
  node: string;
  epoch: bigint;
}

/** Who a command goes to, and who answered a result. */
export interface AgentAddress {
  tenant: string;
  cluster: string;
  node: string;
}

/** Told of every CommandResult an agent sends this hub, on any transport. Must not throw. */
export type CommandResultListener = (agent: AgentAddress, result: CommandResult) => void;

interface AgentState {
  record: AgentRecord;
  streams: number;
}

/**
 * Live state of every agent this hub has seen: one sequence ledger per (agent, epoch),
 * connection counts and last-seen times. Last-seen is persisted periodically rather than
 * per message, so a busy fleet costs one small insert per interval. Ledger loads and
 * connect/disconnect rows of agents arriving together share store round trips.
 */
export class AgentRegistry {
  private readonly agents = new Map<string, AgentState>();
  private readonly ledgers = new Map<string, Promise<SequenceLedger>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly progress: Coalescer<AgentIdentity, SequenceProgress>;
  private readonly upserts: Coalescer<AgentRecord, void>;
  /** Live streams that can carry a command to their agent (gRPC), newest per agent. */
  private readonly commandChannels = new Map<string, (command: Command) => void>();
  private readonly resultListeners = new Set<CommandResultListener>();

  constructor(
    private readonly store: MetricsStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly persistEveryMs = 15_000,
  ) {
    const batching = { maxItems: 500, delayMs: 20 };
    this.progress = new Coalescer((ids) => store.sequenceProgressMany(ids), clock, batching);
    this.upserts = new Coalescer<AgentRecord, void>(
      async (records) => {
        await store.upsertAgents(records);
        return records.map(() => undefined);
      },
      clock,
      batching,
    );
  }

  start(): void {
    const tick = () => {
      this.persist().catch((err) => this.log.warn('cannot persist agent last-seen times', { err }));
      this.timer = this.clock.setTimeout(tick, this.persistEveryMs);
    };
    this.timer = this.clock.setTimeout(tick, this.persistEveryMs);
  }

  async shutdown(): Promise<void> {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const a of this.agents.values()) a.record.connected = false;
    await this.persist().catch((err) => this.log.warn('cannot persist agents at shutdown', { err }));
  }

  ledger(id: AgentIdentity): Promise<SequenceLedger> {
    const key = `${id.tenant}\0${id.cluster}\0${id.node}\0${id.epoch}`;
    let ledger = this.ledgers.get(key);
    if (!ledger) {
      ledger = this.progress.add(id).then((p) => new SequenceLedger(p));
      ledger.catch(() => this.ledgers.delete(key));
      this.ledgers.set(key, ledger);
    }
    return ledger;
  }

  async connected(record: Omit<AgentRecord, 'connected' | 'lastSeenMs'>): Promise<void> {
    const key = agentKey(record);
    const state = this.agents.get(key) ?? { record: { ...record, connected: true, lastSeenMs: 0 }, streams: 0 };
    state.record = { ...record, connected: true, lastSeenMs: this.clock.now() };
    state.streams += 1;
    this.agents.set(key, state);
    await this.upserts.add({ ...state.record });
  }

  /** The agent's last Hello (instance type, zone, lifecycle), if it connected since this hub started. */
  get(tenant: string, cluster: string, node: string): AgentRecord | undefined {
    return this.agents.get(`${tenant}\0${cluster}\0${node}`)?.record;
  }

  seen(tenant: string, cluster: string, node: string): void {
    const state = this.agents.get(`${tenant}\0${cluster}\0${node}`);
    if (state) state.record.lastSeenMs = this.clock.now();
  }

  async disconnected(tenant: string, cluster: string, node: string): Promise<void> {
    const state = this.agents.get(`${tenant}\0${cluster}\0${node}`);
    if (!state) return;
    state.streams = Math.max(0, state.streams - 1);
    if (state.streams > 0) return;
    state.record.connected = false;
    await this.upserts.add({ ...state.record });
  }

  connectedCount(): number {
    let n = 0;
    for (const a of this.agents.values()) if (a.record.connected) n += 1;
    return n;
  }

  /** Stored agents, overlaid with this hub's live view (which is fresher). */
  async list(tenant: string | null): Promise<AgentRecord[]> {
    const stored = await this.store.listAgents(tenant);
    const byKey = new Map(stored.map((a) => [agentKey(a), a]));
    for (const [key, live] of this.agents) {
      if (tenant !== null && live.record.tenant !== tenant) continue;
      byKey.set(key, { ...live.record });
    }
    return [...byKey.values()].sort((a, b) => agentKey(a).localeCompare(agentKey(b)));
  }

  /**
   * Makes `send` the way to command this agent (its newest stream wins). The returned
   * function removes it, unless a newer stream has replaced it meanwhile.
   */
  attachCommandChannel(agent: AgentAddress, send: (command: Command) => void): () => void {
    const key = agentKey(agent);
    this.commandChannels.set(key, send);
    return () => {
      if (this.commandChannels.get(key) === send) this.commandChannels.delete(key);
    };
  }

  /** The live stream to this agent that carries commands, if it is connected to this hub over one. */
  commandChannel(agent: AgentAddress): ((command: Command) => void) | undefined {
    return this.commandChannels.get(agentKey(agent));
  }

  /** Subscribes to command results; returns the unsubscribe. */
  onCommandResult(listener: CommandResultListener): () => void {
    this.resultListeners.add(listener);
    return () => this.resultListeners.delete(listener);
  }

  /** A session received a CommandResult. */
  commandResult(agent: AgentAddress, result: CommandResult): void {
    for (const l of this.resultListeners) {
      try {
        l(agent, result);
      } catch (err) {
        this.log.warn('command result listener failed', { commandId: result.commandId, err });
      }
    }
  }

  private async persist(): Promise<void> {
    await this.store.upsertAgents([...this.agents.values()].map((a) => a.record));
  }
}

function agentKey(a: { tenant: string; cluster: string; node: string }): string {
  return `${a.tenant}\0${a.cluster}\0${a.node}`;
}
