import type { Clock, Logger } from '@ballast/common';
import { type Command, type CommandResult, CommandResultSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import type { ClusterApi, Taint } from '../executors/cluster-port.ts';
import type { Drainer } from '../executors/drain-types.ts';

export interface CommandRunnerOptions {
  node: string;
  cluster: ClusterApi | null;
  executor: Drainer | null;
  taint: Taint;
  clock: Clock;
  log: Logger;
  reply: (result: CommandResult) => void;
}

/**
 * Carries out what the hub orders on this node — cordon, uncordon, drain, prepare a switch —
 * with the same executor the agent uses on its own, and answers each command once.
 */
export class CommandRunner {
  private readonly seen = new Set<string>();

  constructor(private readonly o: CommandRunnerOptions) {}

  readonly onCommand = (command: Command): void => {
    // A command re-sent after a reconnect is answered again but not run twice.
    const repeat = this.seen.has(command.id);
    this.seen.add(command.id);
    void this.run(command, repeat).then(
      (message) => this.reply(command.id, true, message),
      (err: unknown) => this.reply(command.id, false, err instanceof Error ? err.message : String(err)),
    );
  };

  private async run(command: Command, repeat: boolean): Promise<string> {
    const { cluster, executor, node } = this.o;
    if (repeat) return 'already received';
    if (!cluster || !executor) throw new Error('this agent has no Kubernetes access (no kubeconfig, not in a cluster)');
    const kind = command.kind;
    switch (kind.case) {
      case 'cordon':
        await cluster.cordon(node);
        return `cordoned ${node}`;
      case 'uncordon':
        await cluster.uncordon(node);
        await cluster.removeTaint(node, this.o.taint.key);
        return `uncordoned ${node}`;
      case 'drain':
      case 'prepareSwitch': {
        const deadlineMs = Number(kind.value.deadlineMs) || this.o.clock.now() + 120_000;
        const dryRun = kind.case === 'drain' ? kind.value.dryRun : false;
        const r = await executor.drain(node, { deadlineMs, reason: `hub ${kind.case} ${command.id}`, dryRun, taint: this.o.taint });
        const s = r.summary;
        if (!s.metDeadline && !dryRun)
          throw new Error(`drain incomplete: ${s.evicted} evicted, ${s.blocked} blocked, ${s.notGone} not gone`);
        return `${dryRun ? 'dry-run: ' : ''}${s.evicted} evicted, ${s.skipped} skipped`;
      }
      case 'configUpdate':
        throw new Error('config updates from the hub are not supported yet; change the agent configuration');
      default:
        throw new Error(`unknown command ${String(kind.case)}`);
    }
  }

  private reply(commandId: string, ok: boolean, message: string): void {
    this.o.log.info('command done', { commandId, ok, message });
    this.o.reply(create(CommandResultSchema, { commandId, ok, message }));
  }
}
