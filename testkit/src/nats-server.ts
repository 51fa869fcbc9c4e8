import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** Debian's package installs it here; NATS_SERVER_BIN overrides (e.g. a newer release binary). */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface NatsServerHandle {
  /** nats://127.0.0.1:port, or tls://… when started with TLS. */
  url: string;
  port: number;
  /** PID of the current process (changes on restart). */
  readonly pid: number;
  /** Graceful stop (SIGTERM: JetStream flushes); the data directory stays so restart() can bring it back. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash; the data directory stays. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same JetStream data (stops first if running). */
  restart(): Promise<void>;
  /** Stops and removes the data directory; safe twice. */
  dispose(): Promise<void>;
  /** What the server printed, for failure messages. */
  tail(n?: number): string;
}

export interface NatsServerOptions {
  /**
   * TLS on the client port (PEM file paths): every client must then speak TLS. With `ca` and
   * `verify` the server also asks each client for a certificate signed by that CA (mutual TLS).
   */
  tls?: { cert: string; key: string; ca?: string; verify?: boolean };
}

/**
 * Starts a real nats-server with JetStream on a free loopback port, its store in a fresh
 * temp directory, and resolves once it accepts TCP connections. No monitoring port is
 * opened (one fewer port to collide on). Flags are the 2.9.x command-line ones; TLS, which
 * has no complete set of flags, goes into a config file.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  if (!existsSync(NATS_SERVER_BIN)) throw new Error(`nats-server not found at ${NATS_SERVER_BIN}: apt-get install nats-server`);
  const dir = mkdtempSync(join(tmpdir(), 'ballast-nats-'));
  const port = await freePort();
  const configArgs: string[] = [];
  if (options.tls) {
    const file = join(dir, 'nats-server.conf');
    writeFileSync(file, tlsBlock(options.tls));
    configArgs.push('-c', file);
  }
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const args = [...configArgs, '-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port), '-n', `ballast-test-${port}`];
    const proc = spawn(NATS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    child = proc;
    await waitForPort(
      port,
      () => proc.exitCode !== null,
      () => output.slice(-20).join('\n'),
    );
  };
  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(sig);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    child = null;
  };

  await start();
  return {
    url: `${options.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await start();
    },
    dispose: async () => {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    tail: (n = 20) => output.slice(-n).join('\n'),
  };
}

/** nats-server's `tls {}` block; strings are JSON-quoted, which its config parser reads as they are. */
function tlsBlock(tls: NonNullable<NatsServerOptions['tls']>): string {
  const lines = [`cert_file: ${JSON.stringify(tls.cert)}`, `key_file: ${JSON.stringify(tls.key)}`];
  if (tls.ca !== undefined) lines.push(`ca_file: ${JSON.stringify(tls.ca)}`);
  lines.push(`verify: ${tls.verify === true}`);
  // The default handshake timeout (0.5 s) is tight for a loaded 2-core test machine.
  lines.push('timeout: 5');
  return `tls {\n${lines.map((l) => `  ${l}`).join('\n')}\n}\n`;
}

async function waitForPort(port: number, died: () => boolean, tail: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (died()) throw new Error(`nats-server exited during start:\n${tail()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
