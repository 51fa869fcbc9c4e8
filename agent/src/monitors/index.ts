export { type ImdsGetter, ImdsMonitor, type ImdsMonitorOptions, type Reading } from './imds-monitor.ts';
export { parseEventTime, parseRfc3339 } from './imds-time.ts';
export type { Monitor, MonitorName } from './monitor.ts';
export { MonitorSet, type MonitorSetConfig, type MonitorSetOptions, type MonitorSetStats } from './monitor-set.ts';
export { emptyStats, type MonitorErrorReason, type MonitorStats, sumErrors } from './monitor-stats.ts';
export type {
  Notice,
  NoticeSink,
  RebalanceRecommendationNotice,
  ScheduledEventNotice,
  ScheduledEventState,
  SpotAction,
  SpotInterruptionNotice,
} from './notices.ts';
export { PollLoop, type PollLoopOptions } from './poll-loop.ts';
export { REBALANCE_PATH, RebalanceMonitor } from './rebalance-monitor.ts';
export { DEFAULT_SCHEDULED_EVENTS_POLL_INTERVAL_MS, SCHEDULED_EVENTS_PATH, ScheduledEventsMonitor } from './scheduled-events-monitor.ts';
export {
  DEFAULT_SPOT_POLL_INTERVAL_MS,
  SPOT_INSTANCE_ACTION_PATH,
  SPOT_MAX_RETRY_MS,
  SPOT_NOTICE_LEAD_MS,
  SpotInterruptionMonitor,
} from './spot-interruption-monitor.ts';
