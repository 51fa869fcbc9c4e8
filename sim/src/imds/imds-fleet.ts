import type { Fleet, SimInstance } from '../core/fleet.ts';
import { type ImdsServer, startImdsServer } from './imds-server.ts';

export interface ImdsFleetOptions {
  /** Applies to every instance's server (HttpTokens=required when true). */
  requireV2: boolean;
  host?: string;
  accountId?: string;
}

/**
 * One metadata server per instance of a Fleet, following its lifecycle: a server starts when
 * an instance is launched (and for instances already live when this is created) and stops
 * when the instance is terminated. Binding a port is asynchronous, so `endpointOf` is
 * undefined for a moment after `launched`; `ready()` waits for pending starts.
 */
export class ImdsFleet {
  private readonly servers = new Map<string, ImdsServer>();
  private readonly starting = new Map<string, Promise<ImdsServer>>();
  private readonly stopping = new Set<Promise<void>>();
  /** Start failures, reported by ready(): a Fleet event handler has no caller to throw to. */
  private readonly failures: Error[] = [];
  private closed = false;
  private readonly onLaunched = (instance: SimInstance) => this.start(instance.id);
  private readonly onTerminated = (instance: SimInstance) => this.stop(instance.id);

  constructor(
    private readonly fleet: Fleet,
    private readonly options: ImdsFleetOptions,
  ) {
    fleet.on('launched', this.onLaunched);
    fleet.on('terminated', this.onTerminated);
    for (const instance of fleet.live()) this.start(instance.id);
  }

  /** The metadata endpoint URL to hand the instance's agent; undefined before its server listens or after it stopped. */
  endpointOf(instanceId: string): string | undefined {
    return this.servers.get(instanceId)?.url;
  }

  /** The instance's server, for faults and stats. */
  serverOf(instanceId: string): ImdsServer | undefined {
    return this.servers.get(instanceId);
  }

  /** Instance ids with a listening server. */
  instanceIds(): string[] {
    return [...this.servers.keys()];
  }

  /** Resolves once every start and stop requested so far has finished; rejects if a server failed to start. */
  async ready(): Promise<void> {
    await Promise.allSettled([...this.starting.values(), ...this.stopping]);
    const failure = this.failures.shift();
    if (failure) throw failure;
  }

  /** Stops listening to the Fleet and closes every server; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.fleet.off('launched', this.onLaunched);
    this.fleet.off('terminated', this.onTerminated);
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all([...this.servers.keys()].map((id) => this.stop(id)));
    await Promise.all([...this.stopping]);
  }

  private start(instanceId: string): void {
    if (this.closed || this.servers.has(instanceId) || this.starting.has(instanceId)) return;
    const pending = startImdsServer({
      instance: () => this.fleet.get(instanceId),
      clock: this.fleet.clock,
      requireV2: this.options.requireV2,
      host: this.options.host,
      accountId: this.options.accountId,
    });
    this.starting.set(instanceId, pending);
    pending.then(
      (server) => {
        this.starting.delete(instanceId);
        const instance = this.fleet.get(instanceId);
        // Terminated (or closed) while the port was being bound: do not leak the server.
        if (this.closed || !instance || instance.state === 'terminated') this.track(server.close());
        else this.servers.set(instanceId, server);
      },
      (err: unknown) => {
        this.starting.delete(instanceId);
        this.failures.push(new Error(`IMDS server for ${instanceId} failed to start`, { cause: err }));
      },
    );
  }

  private stop(instanceId: string): Promise<void> {
    const server = this.servers.get(instanceId);
    if (!server) return Promise.resolve();
    this.servers.delete(instanceId);
    return this.track(server.close());
  }

  private track(closing: Promise<void>): Promise<void> {
    this.stopping.add(closing);
    return closing.finally(() => this.stopping.delete(closing));
  }
}
