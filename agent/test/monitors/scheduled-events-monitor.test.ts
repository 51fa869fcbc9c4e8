import type { ScheduledEvent } from '@ballast/sim';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/monitors/notices.ts';
import { ScheduledEventsMonitor } from '../../src/monitors/scheduled-events-monitor.ts';
import { capturingLogger, client, type LogLine, SimNode, sleep, waitFor, warningsFor } from './harness.ts';

const INTERVAL = 50;
const sim = new SimNode();
const running: ScheduledEventsMonitor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
});
afterAll(() => sim.close());

function eventsMonitor(endpoint: string, notices: Notice[], lines: LogLine[] = []) {
  const m = new ScheduledEventsMonitor({
    imds: client(endpoint),
    onNotice: (n) => notices.push(n),
    log: capturingLogger(lines),
    intervalMs: INTERVAL,
    retryMaxMs: 200,
  });
  running.push(m);
  return m;
}

function event(overrides: Partial<ScheduledEvent> = {}): ScheduledEvent {
  const notBeforeMs = Date.UTC(2026, 11, 5, 9, 0, 43);
  return {
    code: 'system-reboot',
    description: 'scheduled reboot',
    eventId: 'instance-event-0d59937288b749b32',
    notBeforeMs,
    notAfterMs: notBeforeMs + 2 * 3_600_000,
    state: 'active',
    ...overrides,
  };
}

describe('ScheduledEventsMonitor against the simulated IMDS', () => {
  it('reports an event once, and again when its state changes', async () => {
    const { instance, server } = await sim.spotInstance();
    const notices: Notice[] = [];
    const m = eventsMonitor(server.url, notices);
    m.start();
    await waitFor(() => m.stats.polls >= 3, 'three polls');
    expect(notices).toEqual([]); // `[]` from IMDS

    const e = event();
    instance.scheduledEvents.push(e);
    await waitFor(() => notices.length === 1, 'the event');
    await sleep(5 * INTERVAL);
    expect(notices).toEqual([
      {
        kind: 'scheduled-event',
        code: 'system-reboot',
        eventId: e.eventId,
        notBeforeMs: e.notBeforeMs,
        notAfterMs: e.notAfterMs,
        state: 'active',
        description: 'scheduled reboot',
        detectedAtMs: expect.any(Number),
        timeUnparsable: false,
      },
    ]);

    e.state = 'completed';
    await waitFor(() => notices.length === 2, 'the state change');
    await sleep(5 * INTERVAL);
    expect(notices).toHaveLength(2);
    expect(notices[1]).toMatchObject({ eventId: e.eventId, state: 'completed' });
    expect(m.stats.monitorErrors).toEqual({});
  });

  it('a second event is reported on its own; an entry with an unreadable date is reported with now, counted once', async () => {
    const { instance, server } = await sim.spotInstance();
    const notices: Notice[] = [];
    const lines: LogLine[] = [];
    const m = eventsMonitor(server.url, notices, lines);
    instance.scheduledEvents.push(event({ eventId: 'instance-event-1' }));
    m.start();
    await waitFor(() => notices.length === 1, 'the first event');
    instance.scheduledEvents.push(event({ eventId: 'instance-event-2', code: 'instance-retirement', notBeforeMs: Number.NaN }));
    await waitFor(() => notices.length === 2, 'the second event');
    await sleep(5 * INTERVAL);
    expect(notices).toHaveLength(2);
    const second = notices[1];
    expect(second).toMatchObject({ eventId: 'instance-event-2', code: 'instance-retirement', timeUnparsable: true });
    expect(second?.kind === 'scheduled-event' && second.notBeforeMs).toBe(second?.detectedAtMs);
    // NotAfter is readable, NotBefore is not: one bad-time for NotBefore.
    expect(m.stats.monitorErrors).toEqual({ 'bad-time': 1 });
    expect(warningsFor(lines, 'bad-time')).toHaveLength(1);
  });

  it('an entry without an EventId is counted and skipped without hiding the others', async () => {
    const { instance, server } = await sim.spotInstance();
    const notices: Notice[] = [];
    const m = eventsMonitor(server.url, notices);
    instance.scheduledEvents.push(event({ eventId: '' }), event({ eventId: 'instance-event-ok' }));
    m.start();
    await waitFor(() => (m.stats.monitorErrors['bad-shape'] ?? 0) >= 2, 'two bad-shape');
    expect(notices).toEqual([expect.objectContaining({ eventId: 'instance-event-ok' })]);
    expect(m.stats.failedPolls).toBe(0); // a bad entry is not a failing service: no backoff
  });

  it('garbage and 500s are counted, logged once, and the monitor recovers', async () => {
    const { instance, server } = await sim.spotInstance();
    server.faults = { garbageBody: 'maintenance/scheduled' };
    const notices: Notice[] = [];
    const lines: LogLine[] = [];
    const m = eventsMonitor(server.url, notices, lines);
    m.start();
    await waitFor(() => (m.stats.monitorErrors['bad-json'] ?? 0) >= 3, 'three bad-json');
    server.faults = { status500: 'maintenance' };
    await waitFor(() => (m.stats.monitorErrors['http-status'] ?? 0) >= 3, 'three 500s');
    expect(warningsFor(lines, 'bad-json')).toHaveLength(1);
    expect(warningsFor(lines, 'http-status')).toHaveLength(1);

    server.faults = {};
    instance.scheduledEvents.push(event());
    await waitFor(() => notices.length === 1, 'the event after recovery');
  });
});
