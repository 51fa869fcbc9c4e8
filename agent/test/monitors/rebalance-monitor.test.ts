import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/monitors/notices.ts';
import { RebalanceMonitor } from '../../src/monitors/rebalance-monitor.ts';
import { capturingLogger, client, type LogLine, SimNode, sleep, waitFor, warningsFor } from './harness.ts';

const INTERVAL = 50;
const sim = new SimNode();
const running: RebalanceMonitor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
});
afterAll(() => sim.close());

function rebalanceMonitor(endpoint: string, notices: Notice[], lines: LogLine[] = []) {
  const m = new RebalanceMonitor({
    imds: client(endpoint),
    onNotice: (n) => notices.push(n),
    log: capturingLogger(lines),
    intervalMs: INTERVAL,
    retryMaxMs: 200,
  });
  running.push(m);
  return m;
}

describe('RebalanceMonitor against the simulated IMDS', () => {
  it('reports nothing without a recommendation, then exactly one when EC2 recommends', async () => {
    const { instance, server } = await sim.spotInstance();
    const notices: Notice[] = [];
    const m = rebalanceMonitor(server.url, notices);
    m.start();
    await waitFor(() => m.stats.polls >= 3, 'three polls');
    expect(notices).toEqual([]);

    await sim.clock.advance(7_000); // the recommendation's time differs from the instance's launch
    sim.fleet.recommendRebalance(instance.id);
    await waitFor(() => notices.length > 0, 'the recommendation');
    await sleep(6 * INTERVAL);
    expect(notices).toEqual([
      expect.objectContaining({ kind: 'rebalance-recommendation', noticeTimeMs: instance.rebalanceAtMs, timeUnparsable: false }),
    ]);
    expect(m.stats.monitorErrors).toEqual({});
  });

  it('garbage and 500s are counted and logged once; the recommendation is still found after', async () => {
    const { instance, server } = await sim.spotInstance();
    server.faults = { garbageBody: 'rebalance' };
    const notices: Notice[] = [];
    const lines: LogLine[] = [];
    const m = rebalanceMonitor(server.url, notices, lines);
    m.start();
    await waitFor(() => (m.stats.monitorErrors['bad-json'] ?? 0) >= 3, 'three bad-json');
    server.faults = { status500: 'rebalance' };
    await waitFor(() => (m.stats.monitorErrors['http-status'] ?? 0) >= 3, 'three 500s');
    expect(warningsFor(lines, 'bad-json')).toHaveLength(1);
    expect(warningsFor(lines, 'http-status')).toHaveLength(1);
    expect(notices).toEqual([]);

    server.faults = {};
    sim.fleet.recommendRebalance(instance.id);
    await waitFor(() => notices.length === 1, 'the recommendation');
  });

  it('an unreadable noticeTime still reports the recommendation, dated now, flagged and counted once', async () => {
    const { instance, server } = await sim.spotInstance();
    server.faults = { noticeTimeOverride: 'yesterday' };
    const notices: Notice[] = [];
    const m = rebalanceMonitor(server.url, notices);
    m.start();
    sim.fleet.recommendRebalance(instance.id);
    await waitFor(() => notices.length === 1, 'the recommendation');
    await sleep(4 * INTERVAL);
    expect(notices).toHaveLength(1);
    const [n] = notices;
    expect(n).toMatchObject({ kind: 'rebalance-recommendation', timeUnparsable: true });
    expect(n?.kind === 'rebalance-recommendation' && n.noticeTimeMs).toBe(n?.detectedAtMs);
    expect(m.stats.monitorErrors).toEqual({ 'bad-time': 1 });
  });
});
