import { loadConfig } from '@ballast/common';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_CONFIG } from '../../src/config/agent-config.ts';
import { MonitorSet } from '../../src/monitors/monitor-set.ts';
import type { Notice } from '../../src/monitors/notices.ts';
import { capturingLogger, client, SimNode, sleep, waitFor } from './harness.ts';

const sim = new SimNode();
afterAll(() => sim.close());

const FAST = { BALLAST_IMDS_POLL_INTERVAL_MS: '50', BALLAST_SCHEDULED_EVENTS_POLL_INTERVAL_MS: '50' };

describe('MonitorSet', () => {
  it('has NTH-beating defaults: 1 s for the spot and rebalance paths, 60 s for scheduled events, all on', () => {
    const c = loadConfig(AGENT_CONFIG, [], {});
    expect(c).toMatchObject({
      imdsPollIntervalMs: 1_000,
      scheduledEventsPollIntervalMs: 60_000,
      monitorSpotInterruption: true,
      monitorRebalance: true,
      monitorScheduledEvents: true,
    });
    expect(() => loadConfig(AGENT_CONFIG, ['--imds-poll-interval-ms', '10000'], {})).toThrow(
      /imds-poll-interval-ms.*above the maximum 5000/,
    );
  });

  it('builds the monitors from config and fans every kind of notice into one sink over one token', async () => {
    const { instance, server } = await sim.spotInstance();
    const notices: Notice[] = [];
    const set = new MonitorSet({
      config: loadConfig(AGENT_CONFIG, [], FAST),
      imds: client(server.url),
      onNotice: (n) => notices.push(n),
      log: capturingLogger(),
    });
    expect(set.monitors.map((m) => m.name)).toEqual(['spot-interruption', 'rebalance-recommendation', 'scheduled-events']);
    set.start();
    set.start(); // idempotent
    await waitFor(() => set.monitors.every((m) => m.stats.polls >= 2), 'every monitor polling');

    sim.fleet.recommendRebalance(instance.id);
    await waitFor(() => notices.length === 1, 'the rebalance recommendation');
    sim.fleet.interrupt(instance.id, 'stop');
    instance.scheduledEvents.push({
      code: 'instance-stop',
      description: 'stop',
      eventId: 'instance-event-1',
      notBeforeMs: sim.clock.now() + 86_400_000,
      notAfterMs: sim.clock.now() + 2 * 86_400_000,
      state: 'active',
    });
    await waitFor(() => notices.length === 3, 'all three notices');
    await sleep(200);
    expect(notices.map((n) => n.kind).sort()).toEqual(['rebalance-recommendation', 'scheduled-event', 'spot-interruption']);
    expect(server.stats.tokensIssued).toBe(1);

    const stats = set.stats();
    expect(stats.notices).toBe(3);
    expect(stats.monitorErrors).toEqual({});
    expect(stats.monitors['spot-interruption']?.notices).toBe(1);

    await set.shutdown();
    const requests = server.stats.requests;
    await sleep(200);
    expect(server.stats.requests).toBe(requests);
  });

  it('honours the enable flags and skips spot-only monitors on on-demand instances; shutdown before start is safe', async () => {
    const base = { imds: client('http://127.0.0.1:9'), onNotice: () => {}, log: capturingLogger() };
    const config = loadConfig(AGENT_CONFIG, [], { ...FAST, BALLAST_MONITOR_REBALANCE: 'false', BALLAST_MONITOR_SCHEDULED_EVENTS: 'no' });
    expect(new MonitorSet({ ...base, config }).monitors.map((m) => m.name)).toEqual(['spot-interruption']);
    const onDemand = new MonitorSet({ ...base, config: loadConfig(AGENT_CONFIG, [], FAST), lifecycle: 'on-demand' });
    expect(onDemand.monitors.map((m) => m.name)).toEqual(['scheduled-events']);
    await onDemand.shutdown();
    await onDemand.shutdown();
    expect(onDemand.stats()).toMatchObject({ notices: 0, monitorErrors: {} });
  });

  it('sums errors by reason across monitors', async () => {
    const { server } = await sim.spotInstance();
    server.faults = { status500: 'meta-data' };
    const set = new MonitorSet({
      config: loadConfig(AGENT_CONFIG, [], FAST),
      imds: client(server.url),
      onNotice: () => {},
      log: capturingLogger(),
    });
    set.start();
    await waitFor(() => set.monitors.every((m) => (m.stats.monitorErrors['http-status'] ?? 0) >= 1), 'a 500 in every monitor');
    await set.shutdown();
    const stats = set.stats();
    const perMonitor = Object.values(stats.monitors).reduce((n, s) => n + (s?.monitorErrors['http-status'] ?? 0), 0);
    expect(stats.monitorErrors['http-status']).toBe(perMonitor);
    expect(perMonitor).toBeGreaterThanOrEqual(3);
  });
});
