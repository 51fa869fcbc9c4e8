import type { Clock, Logger } from '@ballast/common';
import type { AgentConfig } from '../config/agent-config.ts';
import type { ImdsGetter } from './imds-monitor.ts';
import type { Monitor, MonitorName } from './monitor.ts';
import { type MonitorErrorReason, type MonitorStats, sumErrors } from './monitor-stats.ts';
import type { NoticeSink } from './notices.ts';
import { RebalanceMonitor } from './rebalance-monitor.ts';
import { ScheduledEventsMonitor } from './scheduled-events-monitor.ts';
import { SpotInterruptionMonitor } from './spot-interruption-monitor.ts';

export type MonitorSetConfig = Pick<
  AgentConfig,
  'imdsPollIntervalMs' | 'scheduledEventsPollIntervalMs' | 'monitorSpotInterruption' | 'monitorRebalance' | 'monitorScheduledEvents'
>;

export interface MonitorSetOptions {
  config: MonitorSetConfig;
  /** One client for all monitors: they share its token. */
  imds: ImdsGetter;
  onNotice: NoticeSink;
  log: Logger;
  clock?: Clock;
  /** On an on-demand instance there is no spot notice or rebalance recommendation to wait for. */
  lifecycle?: 'spot' | 'on-demand' | 'unspecified';
}

export interface MonitorSetStats {
  notices: number;
  monitorErrors: Partial<Record<MonitorErrorReason, number>>;
  monitors: Partial<Record<MonitorName, MonitorStats>>;
}

/** The node's IMDS monitors, built from config, all delivering into one sink. Start/Shutdown like each monitor. */
export class MonitorSet {
  readonly monitors: readonly Monitor[];

  constructor(options: MonitorSetOptions) {
    const { config, imds, onNotice, clock } = options;
    const log = options.log.child({ component: 'monitors' });
    const base = { imds, onNotice, log, clock };
    const spotOnly = options.lifecycle !== 'on-demand';
    const monitors: Monitor[] = [];
    if (config.monitorSpotInterruption && spotOnly)
      monitors.push(new SpotInterruptionMonitor({ ...base, intervalMs: config.imdsPollIntervalMs }));
    if (config.monitorRebalance && spotOnly) monitors.push(new RebalanceMonitor({ ...base, intervalMs: config.imdsPollIntervalMs }));
    if (config.monitorScheduledEvents)
      monitors.push(new ScheduledEventsMonitor({ ...base, intervalMs: config.scheduledEventsPollIntervalMs }));
    this.monitors = monitors;
    if (!spotOnly) log.info('on-demand instance: spot interruption and rebalance monitors not started');
  }

  start(): void {
    for (const m of this.monitors) m.start();
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.monitors.map((m) => m.shutdown()));
  }

  stats(): MonitorSetStats {
    const all = this.monitors.map((m) => m.stats);
    return {
      notices: all.reduce((n, s) => n + s.notices, 0),
      monitorErrors: sumErrors(all),
      monitors: Object.fromEntries(this.monitors.map((m) => [m.name, { ...m.stats, monitorErrors: { ...m.stats.monitorErrors } }])),
    };
  }
}
