import type { Command } from '@ballast/proto';
import type { AgentAddress } from '../ingest/agent-registry.ts';

export type { AgentAddress };

/** What the agent answered. `ok: false` is an answer too (the agent tried and says why it failed). */
export interface CommandAnswer {
  commandId: string;
  ok: boolean;
  message: string;
}

export type CommandErrorCode =
  /** No transport reaches the agent now (no live gRPC stream, NATS down); nothing was sent. */
  | 'not-connected'
  /** Sent, but no answer came within the timeout; the agent may still act on it. */
  | 'timeout'
  /** The commander was closed while waiting. */
  | 'closed';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly code: CommandErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Orders an agent to act on its node (cordon, uncordon, drain, prepare a switch) and waits
 * for its CommandResult. Delivery is at-most-once per call; a caller that resends after a
 * timeout or a hub restart should reuse the command id only when a repeat must not run the
 * command again (the agent answers a repeated id "already received" without running it).
 */
export interface AgentCommander {
  /** Whether a command to this agent could be sent now. */
  reachable(agent: AgentAddress): boolean;
  /**
   * Sends `command` and resolves with the agent's answer (ok or not).
   * Errors: CommandError `not-connected` (nothing was sent), `timeout` (no answer within
   * `timeoutMs` of the injected clock), `closed`.
   */
  send(agent: AgentAddress, command: Command, timeoutMs: number): Promise<CommandAnswer>;
  /** Stops listening for results; every pending call rejects with `closed`. Safe twice. */
  close(): void;
}
