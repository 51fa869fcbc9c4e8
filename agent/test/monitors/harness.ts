import { type Logger, systemClock } from '@ballast/common';
import { Fleet, type ImdsServer, ManualClock, type SimInstance, startImdsServer } from '@ballast/sim';
import { ImdsClient } from '../../src/imds/imds-client.ts';
import type { Notice } from '../../src/monitors/notices.ts';

/**
 * Sim time starts an hour ahead of the real clock (whole seconds, as IMDS prints them): the
 * monitors judge "late" against their own (real) clock, so a fresh notice must lie in its future.
 */
export const simStartMs = () => Math.ceil(Date.now() / 1000) * 1000 + 3_600_000;

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A Logger that keeps its lines, so tests can check what was logged and how often. */
export function capturingLogger(lines: LogLine[] = [], base: Record<string, unknown> = {}): Logger & { lines: LogLine[] } {
  const write =
    (level: LogLine['level']) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, msg, fields: { ...base, ...fields } });
    };
  return {
    lines,
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (f) => capturingLogger(lines, { ...base, ...f }),
  };
}

export function warningsFor(lines: LogLine[], reason: string): LogLine[] {
  return lines.filter((l) => l.level === 'warn' && l.fields.reason === reason);
}

/** A fleet on a ManualClock; each spot instance gets its own metadata server over real HTTP. */
export class SimNode {
  readonly clock = new ManualClock(simStartMs());
  readonly fleet = new Fleet(this.clock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 });
  private readonly servers: ImdsServer[] = [];

  async spotInstance(requireV2 = true): Promise<{ instance: SimInstance; server: ImdsServer }> {
    const instance = this.fleet.launch({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      capacityType: 'spot',
      imageId: 'ami-1',
    });
    await this.clock.advance(1_000); // booted: only a running instance can be interrupted
    const server = await startImdsServer({ instance: () => this.fleet.get(instance.id), clock: this.clock, requireV2 });
    this.servers.push(server);
    return { instance, server };
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }
}

export function client(
  endpoint: string,
  overrides: { timeoutMs?: number; tokenTtlSeconds?: number; clock?: ManualClock } = {},
): ImdsClient {
  return new ImdsClient(
    { endpoint, tokenTtlSeconds: overrides.tokenTtlSeconds ?? 21_600, allowV1: false, timeoutMs: overrides.timeoutMs ?? 1_000 },
    overrides.clock ?? systemClock,
  );
}

export function noticesOf<K extends Notice['kind']>(notices: Notice[], kind: K): Extract<Notice, { kind: K }>[] {
  return notices.filter((n): n is Extract<Notice, { kind: K }> => n.kind === kind);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits (real time) until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
