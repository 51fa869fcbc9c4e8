import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A process a test started; stopped by PID, its output kept for assertions and failure messages. */
export class TestProcess {
  readonly output: string[] = [];
  private exited: Promise<number | null>;
  exitCode: number | null | undefined = undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.output.push(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** JSON log lines the process printed. */
  logs(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.output) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
    return out;
  }

  async waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    return waitFor(
      `${this.name}: log line`,
      () => this.logs().find(predicate),
      timeoutMs,
      () => this.tail(),
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => this.exitCode === undefined && process.kill(this.pid, 'SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL: the process gets no chance to clean up, like a crash or an OOM kill. */
  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }

  wait(): Promise<number | null> {
    return this.exited;
  }

  tail(n = 30): string {
    return this.output.slice(-n).join('\n');
  }
}

/** Starts a TypeScript entry point of this repo with tsx. */
export function startTsProcess(name: string, entry: string, env: Record<string, string>, args: string[] = []): TestProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new TestProcess(name, child);
}

/**
 * Starts a built JavaScript program (e.g. the agent bundle, agent/scripts/build.ts) under
 * plain node with `nodeFlags`, as it runs in production: no loader, nothing compiled on the fly.
 */
export function startNodeProcess(
  name: string,
  script: string,
  nodeFlags: string[],
  env: Record<string, string>,
  args: string[] = [],
): TestProcess {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new TestProcess(name, child);
}

/** Polls `probe` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const extra = context ? `\n--- context ---\n${context()}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}${extra}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
