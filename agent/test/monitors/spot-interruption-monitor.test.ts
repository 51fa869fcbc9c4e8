import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Notice, SpotAction } from '../../src/monitors/notices.ts';
import { SPOT_INSTANCE_ACTION_PATH, SpotInterruptionMonitor } from '../../src/monitors/spot-interruption-monitor.ts';
import { capturingLogger, client, noticesOf, SimNode, sleep, waitFor } from './harness.ts';

const INTERVAL = 50;
const sim = new SimNode();
const running: SpotInterruptionMonitor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
});
afterAll(() => sim.close());

function spotMonitor(endpoint: string, onNotice: (n: Notice) => void) {
  const m = new SpotInterruptionMonitor({
    imds: client(endpoint),
    onNotice,
    log: capturingLogger(),
    intervalMs: INTERVAL,
    retryMaxMs: 200,
  });
  running.push(m);
  return m;
}

// The agent's monitor against the simulator's metadata server over real HTTP; sim time is
// moved by hand, the monitor's timers run on the real clock.
describe('SpotInterruptionMonitor against the simulated IMDS', () => {
  it('reports nothing while there is no notice, polling cheaply with one cached token', async () => {
    const { server } = await sim.spotInstance();
    const notices: Notice[] = [];
    const m = spotMonitor(server.url, (n) => notices.push(n));
    m.start();
    await waitFor(() => m.stats.polls >= 7, 'seven polls');
    expect(notices).toEqual([]);
    expect(m.stats.monitorErrors).toEqual({});
    expect(server.stats.byPath[SPOT_INSTANCE_ACTION_PATH]).toBeGreaterThanOrEqual(6);
    expect(server.stats.tokensIssued).toBe(1);
  });

  it.each<SpotAction>(['terminate', 'stop', 'hibernate'])(
    'reports "%s" once, with the deadline EC2 set, within a few polls',
    async (action) => {
      const { instance, server } = await sim.spotInstance();
      const notices: Notice[] = [];
      let seenAt = 0;
      const m = spotMonitor(server.url, (n) => {
        seenAt = performance.now();
        notices.push(n);
      });
      m.start();
      await waitFor(() => m.stats.polls >= 2, 'first polls');
      const interruptedAt = performance.now();
      sim.fleet.interrupt(instance.id, action);
      await waitFor(() => notices.length > 0, 'the spot notice');
      expect(seenAt - interruptedAt).toBeLessThan(6 * INTERVAL);

      const pollsAtNotice = m.stats.polls;
      await waitFor(() => m.stats.polls >= pollsAtNotice + 8, 'eight more polls');
      const [notice, ...rest] = noticesOf(notices, 'spot-interruption');
      expect(rest).toEqual([]);
      expect(notices).toHaveLength(1);
      expect(notice).toMatchObject({ kind: 'spot-interruption', action, late: false, timeUnparsable: false });
      expect(notice?.deadlineMs).toBe(instance.interruption?.actionAtMs);
      expect(JSON.parse(notice?.raw ?? '')).toEqual({
        action,
        time: new Date(instance.interruption?.actionAtMs ?? 0).toISOString().replace('.000', ''),
      });
      expect(m.stats.notices).toBe(1);
      expect(m.stats.monitorErrors).toEqual({});
    },
  );

  it('finds a notice already present at start-up on its first poll', async () => {
    const { instance, server } = await sim.spotInstance();
    sim.fleet.interrupt(instance.id);
    const notices: Notice[] = [];
    const m = spotMonitor(server.url, (n) => notices.push(n));
    m.start();
    await waitFor(() => notices.length === 1, 'the spot notice');
    expect(m.stats.polls).toBe(1);
  });

  it('offers a notice again when the consumer throws, and delivers it once it accepts', async () => {
    const { instance, server } = await sim.spotInstance();
    const accepted: Notice[] = [];
    let refusals = 2;
    const m = spotMonitor(server.url, (n) => {
      if (refusals-- > 0) throw new Error('consumer not ready');
      accepted.push(n);
    });
    m.start();
    sim.fleet.interrupt(instance.id);
    await waitFor(() => accepted.length === 1, 'the notice accepted');
    await sleep(5 * INTERVAL);
    expect(accepted).toHaveLength(1);
    expect(m.stats.monitorErrors).toEqual({ sink: 2 });
  });

  it('shutdown is safe before start and twice; nothing is polled or delivered after it', async () => {
    const { instance, server } = await sim.spotInstance();
    const idle = spotMonitor(server.url, () => {});
    await idle.shutdown();
    await idle.shutdown();
    idle.start(); // a shut-down monitor stays down
    expect(idle.stats.polls).toBe(0);

    const notices: Notice[] = [];
    const m = spotMonitor(server.url, (n) => notices.push(n));
    m.start();
    await waitFor(() => m.stats.polls >= 2, 'two polls');
    await m.shutdown();
    const polls = server.stats.byPath[SPOT_INSTANCE_ACTION_PATH];
    sim.fleet.interrupt(instance.id);
    await sleep(5 * INTERVAL);
    expect(server.stats.byPath[SPOT_INSTANCE_ACTION_PATH]).toBe(polls);
    expect(notices).toEqual([]);
  });
});
