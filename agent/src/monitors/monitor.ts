import type { MonitorStats } from './monitor-stats.ts';

export type MonitorName = 'spot-interruption' | 'rebalance-recommendation' | 'scheduled-events';

/**
 * One source of notices (one IMDS path), as NTH has one monitor per event source.
 * Start/Shutdown lifecycle: `shutdown` is safe before `start` and more than once; after it
 * resolves no poll is running and no notice is delivered.
 */
export interface Monitor {
  readonly name: MonitorName;
  readonly stats: MonitorStats;
  start(): void;
  shutdown(): Promise<void>;
}
