import type { Clock } from '@ballast/common';
import type { AgentRegistry } from '../ingest/agent-registry.ts';
import type { NatsIngest } from '../ingest/nats-ingest.ts';
import type { AgentAddress, AgentCommander } from './agent-commander.ts';
import { CorrelatedCommander } from './correlated-commander.ts';

/** Commands over the agent's live gRPC stream to this hub. */
export function grpcCommander(registry: AgentRegistry, clock: Clock): CorrelatedCommander {
  const channel = (a: AgentAddress) => registry.commandChannel(a);
  return new CorrelatedCommander(
    registry,
    (agent, command) => {
      const send = channel(agent);
      if (!send) return false;
      send(command);
      return true;
    },
    (a) => channel(a) !== undefined,
    clock,
  );
}

/**
 * Commands on the agent's NATS command subject (core NATS: an agent not subscribed now
 * misses it, and the caller times out). `connected` says whether the agent is known live
 * (e.g. the registry's view); NATS itself cannot tell.
 */
export function natsCommander(
  registry: AgentRegistry,
  nats: Pick<NatsIngest, 'sendCommand'>,
  clock: Clock,
  connected: (a: AgentAddress) => boolean = (a) => registry.get(a.tenant, a.cluster, a.node)?.connected === true,
): CorrelatedCommander {
  return new CorrelatedCommander(registry, (agent, command) => nats.sendCommand(agent, command), connected, clock);
}

/** Tries each commander in order and uses the first that reaches the agent (gRPC first, then NATS). */
export function firstReachable(...commanders: CorrelatedCommander[]): AgentCommander {
  const pick = (a: AgentAddress) => commanders.find((c) => c.reachable(a));
  return {
    reachable: (a: AgentAddress) => pick(a) !== undefined,
    send: (a: AgentAddress, command: Parameters<CorrelatedCommander['send']>[1], timeoutMs: number) =>
      (pick(a) ?? commanders[0] ?? failing()).send(a, command, timeoutMs),
    close: () => {
      for (const c of commanders) c.close();
    },
  };
}

function failing(): never {
  throw new Error('firstReachable needs at least one commander');
}
