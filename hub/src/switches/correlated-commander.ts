import type { Clock } from '@ballast/common';
import type { Command } from '@ballast/proto';
import type { AgentRegistry } from '../ingest/agent-registry.ts';
import { type AgentAddress, type AgentCommander, type CommandAnswer, CommandError } from './agent-commander.ts';

/** Puts a command on one transport; false when that transport cannot reach the agent now. */
export type CommandSender = (agent: AgentAddress, command: Command) => boolean;

/** Tells whether a sender could reach the agent without sending. */
export type Reachability = (agent: AgentAddress) => boolean;

interface Pending {
  agent: string;
  resolve: (a: CommandAnswer) => void;
  reject: (e: Error) => void;
  timer: ReturnType<Clock['setTimeout']>;
}

/**
 * An AgentCommander over any transport: the sender puts the command on the wire, and the
 * answer comes back through the agent registry, which every session (gRPC or NATS) tells
 * of the CommandResults it reads. Answers are matched by command id and by the agent that
 * sent them, so one agent cannot answer for another.
 *
 * On NATS a result travels on the agent's data stream, which hubs share through one
 * consumer: with several hubs the answer may reach a hub that did not send the command, and
 * the sender then times out. Callers treat a timeout as "unknown" and check the world.
 */
export class CorrelatedCommander implements AgentCommander {
  private readonly pending = new Map<string, Pending>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    registry: Pick<AgentRegistry, 'onCommandResult'>,
    private readonly sender: CommandSender,
    private readonly canReach: Reachability,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = registry.onCommandResult((agent, result) => {
      const p = this.pending.get(result.commandId);
      if (!p || p.agent !== key(agent)) return;
      this.pending.delete(result.commandId);
      this.clock.clearTimeout(p.timer);
      p.resolve({ commandId: result.commandId, ok: result.ok, message: result.message });
    });
  }

  reachable(agent: AgentAddress): boolean {
    return !this.closed && this.canReach(agent);
  }

  send(agent: AgentAddress, command: Command, timeoutMs: number): Promise<CommandAnswer> {
    if (this.closed) return Promise.reject(new CommandError('closed', 'the agent commander is closed'));
    if (!this.canReach(agent)) return Promise.reject(new CommandError('not-connected', `${describe(agent)} is not connected to this hub`));
    if (this.pending.has(command.id))
      return Promise.reject(new CommandError('not-connected', `command ${command.id} is already waiting for an answer`));
    return new Promise<CommandAnswer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(command.id);
        reject(new CommandError('timeout', `${describe(agent)} did not answer command ${command.id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(command.id, { agent: key(agent), resolve, reject, timer });
      let sent = false;
      try {
        sent = this.sender(agent, command);
      } catch (err) {
        this.drop(command.id);
        reject(new CommandError('not-connected', `cannot send command ${command.id} to ${describe(agent)}`, { cause: err }));
        return;
      }
      if (!sent) {
        this.drop(command.id);
        reject(new CommandError('not-connected', `${describe(agent)} is not connected to this hub`));
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const [id, p] of this.pending) {
      this.clock.clearTimeout(p.timer);
      p.reject(new CommandError('closed', `the agent commander closed while command ${id} waited`));
    }
    this.pending.clear();
  }

  private drop(id: string): void {
    const p = this.pending.get(id);
    if (p) this.clock.clearTimeout(p.timer);
    this.pending.delete(id);
  }
}

function key(a: AgentAddress): string {
  return `${a.tenant}\0${a.cluster}\0${a.node}`;
}

function describe(a: AgentAddress): string {
  return `agent ${a.tenant}/${a.cluster}/${a.node}`;
}
