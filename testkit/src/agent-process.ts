import { startNodeProcess, startTsProcess, type TestProcess, waitFor } from './child-process.ts';

export interface AgentOptions {
  hubAddress: string;
  node?: string;
  cluster?: string;
  intervalMs?: number;
  env?: Record<string, string>;
  /**
   * Run this agent bundle (agent/scripts/build.ts) under plain node with these flags, as the
   * DaemonSet does, instead of the TypeScript sources under tsx. Benchmarks of latency use it:
   * tsx compiles each module as it is first imported, which the shipped agent never pays.
   */
  bundle?: { path: string; nodeFlags: string[] };
}

export interface AgentHandle {
  process: TestProcess;
  node: string;
  statusPort: number;
  /** Parses the agent's own /metrics. */
  metrics(): Promise<Record<string, number>>;
  /** Stops with SIGTERM and returns the final stats line. */
  stop(): Promise<Record<string, unknown>>;
}

/** Starts a real agent process on this machine, pointed at `hubAddress`. */
export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const node = options.node ?? `test-node-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const env = {
    BALLAST_HUB_ADDRESS: options.hubAddress,
    NODE_NAME: node,
    BALLAST_CLUSTER: options.cluster ?? 'test',
    BALLAST_COLLECT_INTERVAL_MS: String(options.intervalMs ?? 500),
    BALLAST_STATUS_PORT: '0',
    BALLAST_RECONNECT_MIN_MS: '100',
    BALLAST_RECONNECT_MAX_MS: '1000',
    // Never reach for the real link-local metadata address from a test machine.
    BALLAST_IMDS_ENDPOINT: 'off',
    ...options.env,
  };
  const proc = options.bundle
    ? startNodeProcess('agent', options.bundle.path, options.bundle.nodeFlags, env)
    : startTsProcess('agent', 'agent/src/main.ts', env);
  const started = await proc.waitForLog((l) => l.msg === 'agent started' || l.msg === 'agent failed to start');
  if (started.msg !== 'agent started') throw new Error(`agent failed to start:\n${proc.tail()}`);
  const statusPort = Number(started.statusPort);
  return {
    process: proc,
    node,
    statusPort,
    metrics: async () => {
      const text = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
      const out: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const m = /^([a-z_]+) (\S+)$/.exec(line);
        if (m) out[m[1] as string] = Number(m[2]);
      }
      return out;
    },
    stop: async () => {
      await proc.stop();
      return waitFor(
        'agent stopped line',
        () => proc.logs().find((l) => l.msg === 'agent stopped'),
        5_000,
        () => proc.tail(),
      );
    },
  };
}
