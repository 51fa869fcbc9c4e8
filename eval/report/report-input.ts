import type { SeedResult } from '../run-replay.ts';

/** One workload's replay over its seeds, as the report writers take it. */
export interface ReportInput {
  workload: string;
  from: string;
  to: string;
  prices: string;
  advisorSnapshot: string;
  spotPools: number;
  zones: string[];
  results: SeedResult[];
  runtimeS: number;
}
