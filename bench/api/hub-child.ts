import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HubServerArgs } from './hub-server.ts';
import type { FromHub, ToHub } from './messages.ts';
import { wallNow } from './messages.ts';

type Reply<T extends FromHub['type']> = Extract<FromHub, { type: T }>;

/** The benchmark's hub process (hub-server.ts) and its IPC channel. */
export class HubChild {
  private readonly waiting: Array<{ type: FromHub['type']; resolve: (m: FromHub) => void }> = [];
  /** Every pending next(): all fail at once when the hub does. */
  private readonly rejectors: Array<(err: Error) => void> = [];
  private failure: Error | null = null;
  private readonly exited: Promise<number | null>;
  private readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromHub) => {
      if (m.type === 'failed') this.fail(new Error(`the hub failed: ${m.message}`));
      const i = this.waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(m);
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr.push(s);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.fail(new Error(`the hub exited with ${code}: ${this.stderr.join('').slice(-2000)}`));
        resolve(code);
      }),
    );
  }

  /** Starts the hub; its JSON logs are discarded (it still pays for writing them), stderr kept for failures. */
  static start(args: HubServerArgs): HubChild {
    const child = fork(fileURLToPath(new URL('./hub-server.ts', import.meta.url)), [JSON.stringify(args)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    return new HubChild(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  send(m: ToHub): void {
    if (this.failure) throw this.failure;
    this.child.send(m);
  }

  /** The next message of this type; rejects if the hub fails or exits first. */
  next<T extends FromHub['type']>(type: T, timeoutMs = 120_000): Promise<Reply<T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} from the hub within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Reply<T>);
        },
      });
      this.rejectors.push((err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const r of this.rejectors.splice(0)) r(err);
  }

  /**
   * How far the hub's wall clock reads ahead of this process's, in ms: of `rounds` pings, the
   * one with the shortest round trip, assuming its two legs took equally long.
   */
  async clockOffset(rounds = 20): Promise<{ hubAheadMs: number; roundTripMs: number }> {
    let best = { hubAheadMs: 0, roundTripMs: Number.POSITIVE_INFINITY };
    for (let i = 0; i < rounds; i++) {
      const sentAt = wallNow();
      const reply = this.next('clock');
      this.send({ type: 'clock', sentAt });
      const { hubAt } = await reply;
      const back = wallNow();
      if (back - sentAt < best.roundTripMs) best = { hubAheadMs: hubAt - (sentAt + back) / 2, roundTripMs: back - sentAt };
    }
    return best;
  }

  /** Asks the hub to shut down; kills it (by its pid) if it has not exited within `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.child.send({ type: 'stop' } satisfies ToHub);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
