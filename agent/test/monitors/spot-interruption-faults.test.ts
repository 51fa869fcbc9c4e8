import type { ImdsFaults } from '@ballast/sim';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MonitorErrorReason } from '../../src/monitors/monitor-stats.ts';
import type { Notice, SpotInterruptionNotice } from '../../src/monitors/notices.ts';
import { SPOT_NOTICE_LEAD_MS, SpotInterruptionMonitor } from '../../src/monitors/spot-interruption-monitor.ts';
import { capturingLogger, client, type LogLine, SimNode, sleep, waitFor, warningsFor } from './harness.ts';

const INTERVAL = 50;
const TIMEOUT = 400; // generous: a loaded CI box must not turn a slow first request into a spurious timeout
const sim = new SimNode();
const running: SpotInterruptionMonitor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
});
afterAll(() => sim.close());

function spotMonitor(endpoint: string, notices: Notice[], lines: LogLine[]) {
  const m = new SpotInterruptionMonitor({
    imds: client(endpoint, { timeoutMs: TIMEOUT }),
    onNotice: (n) => notices.push(n),
    log: capturingLogger(lines),
    intervalMs: INTERVAL,
    retryMaxMs: 200,
  });
  running.push(m);
  return m;
}

// Each fault on a fresh instance (an instance is interrupted once): the monitor counts and
// logs the fault, keeps polling, and after the fault is cleared still reports the real notice.
describe('SpotInterruptionMonitor under injected IMDS faults', () => {
  it.each<[string, ImdsFaults, MonitorErrorReason]>([
    ['500 on the notice path', { status500: 'instance-action' }, 'http-status'],
    ['500 on the token call', { status500: '/latest/api/token' }, 'token'],
    ['500 on everything', { status500: true }, 'token'],
    ['garbage body', { garbageBody: 'instance-action' }, 'bad-json'],
    ['answers slower than the client timeout', { delayMs: 3 * TIMEOUT }, 'timeout'],
  ])('%s: counted, logged once, polling continues, recovers', async (_name, faults, reason) => {
    const { instance, server } = await sim.spotInstance();
    server.faults = faults;
    const notices: Notice[] = [];
    const lines: LogLine[] = [];
    const m = spotMonitor(server.url, notices, lines);
    m.start();
    await waitFor(() => (m.stats.monitorErrors[reason] ?? 0) >= 3, `three "${reason}" errors`);
    expect(notices).toEqual([]);
    expect(Object.keys(m.stats.monitorErrors)).toEqual([reason]);
    expect(m.stats.consecutiveFailures).toBeGreaterThanOrEqual(3);
    // Rate-limited: many failures, one warning line, naming the reason.
    expect(warningsFor(lines, reason)).toHaveLength(1);

    server.faults = {};
    sim.fleet.interrupt(instance.id);
    await waitFor(() => notices.length > 0, 'the real notice after the fault cleared');
    await sleep(4 * INTERVAL);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ action: 'terminate', deadlineMs: instance.interruption?.actionAtMs, late: false });
    expect(m.stats.consecutiveFailures).toBe(0);
    expect(lines.some((l) => l.msg === 'monitor recovered')).toBe(true);
  });

  it('unreachable service: counted, polling continues with backoff capped at retryMaxMs', async () => {
    const notices: Notice[] = [];
    const lines: LogLine[] = [];
    const m = spotMonitor('http://127.0.0.1:9', notices, lines);
    m.start();
    await sleep(1_000);
    const errors = m.stats.monitorErrors.unreachable ?? 0;
    // Retries at most every 200 ms and at least every ~25 ms (half the first backoff).
    expect(errors).toBeGreaterThanOrEqual(5);
    expect(errors).toBeLessThan(40);
    expect(m.stats.polls).toBe(errors);
    expect(warningsFor(lines, 'unreachable')).toHaveLength(1);
  });

  it('a notice time already past: acted on now, flagged late, counted once; the corrected time is a new notice', async () => {
    const { instance, server } = await sim.spotInstance();
    server.faults = { noticeTimeOverride: '2020-01-01T00:00:00Z' };
    const notices: SpotInterruptionNotice[] = [];
    const lines: LogLine[] = [];
    const m = spotMonitor(server.url, notices as Notice[], lines);
    m.start();
    await waitFor(() => m.stats.polls >= 2, 'first polls');
    expect(notices).toEqual([]); // the override alone does not create a notice

    sim.fleet.interrupt(instance.id);
    await waitFor(() => notices.length === 1, 'the late notice');
    await sleep(4 * INTERVAL);
    const [late] = notices;
    expect(late).toMatchObject({ action: 'terminate', late: true, timeUnparsable: false });
    expect(late?.deadlineMs).toBe(late?.detectedAtMs);
    expect(m.stats.monitorErrors).toEqual({ 'past-time': 1 });
    expect(warningsFor(lines, 'past-time')).toHaveLength(1);

    server.faults = {};
    await waitFor(() => notices.length === 2, 'the corrected notice');
    expect(notices[1]).toMatchObject({ late: false, deadlineMs: instance.interruption?.actionAtMs });
  });

  it('an unreadable notice time: acted on with now + 120 s, flagged, counted once', async () => {
    const { instance, server } = await sim.spotInstance();
    server.faults = { noticeTimeOverride: 'soon' };
    const notices: SpotInterruptionNotice[] = [];
    const m = spotMonitor(server.url, notices as Notice[], []);
    m.start();
    sim.fleet.interrupt(instance.id);
    await waitFor(() => notices.length === 1, 'the notice');
    await sleep(4 * INTERVAL);
    expect(notices).toHaveLength(1);
    const [n] = notices;
    expect(n).toMatchObject({ action: 'terminate', timeUnparsable: true, late: false, raw: '{"action":"terminate","time":"soon"}' });
    expect(n?.deadlineMs).toBe((n?.detectedAtMs ?? 0) + SPOT_NOTICE_LEAD_MS);
    expect(m.stats.monitorErrors).toEqual({ 'bad-time': 1 });

    server.faults = {};
    await waitFor(() => notices.length === 2, 'the corrected notice');
    expect(notices[1]).toMatchObject({ timeUnparsable: false, deadlineMs: instance.interruption?.actionAtMs });
  });

  it('faults switched over the control endpoint from "another process" work the same', async () => {
    const { instance, server } = await sim.spotInstance();
    const post = (body: unknown) =>
      fetch(`${server.url}/_sim/faults`, { method: body ? 'POST' : 'DELETE', body: body ? JSON.stringify(body) : undefined });
    expect((await post({ status500: 'instance-action' })).status).toBe(200);
    const notices: Notice[] = [];
    const m = spotMonitor(server.url, notices, []);
    m.start();
    await waitFor(() => (m.stats.monitorErrors['http-status'] ?? 0) >= 2, 'two 500s');
    expect((await post(null)).status).toBe(200);
    sim.fleet.interrupt(instance.id);
    await waitFor(() => notices.length === 1, 'the notice');
  });
});
