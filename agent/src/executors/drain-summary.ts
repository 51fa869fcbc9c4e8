import type { DrainSummary, PodReport } from './drain-types.ts';

export interface SummaryInputs {
  dryRun: boolean;
  durationMs: number;
  /** The drain ended at or before its deadline. */
  finishedInTime: boolean;
  evictionsIssuedMs: number | null;
  evictionsAcceptedMs: number | null;
}

export function summarize(reports: readonly PodReport[], inputs: SummaryInputs): DrainSummary {
  const count = (pred: (r: PodReport) => boolean) => reports.filter(pred).length;
  const evicted = count((r) => r.outcome === 'evicted' || r.outcome === 'not-gone');
  const blocked = count((r) => r.outcome === 'blocked');
  const refused = count((r) => r.skipReason === 'emptydir-refused');
  const forced = count((r) => r.outcome === 'forced');
  const failed = count((r) => r.outcome === 'failed');
  const notGone = count((r) => r.outcome === 'not-gone');
  const clean = blocked === 0 && refused === 0 && failed === 0 && forced === 0 && notGone === 0;
  return {
    evicted,
    blocked,
    skipped: count((r) => r.outcome === 'skipped'),
    refused,
    forced,
    failed,
    notGone,
    notRecreated: count((r) => (r.outcome === 'evicted' || r.outcome === 'not-gone' || r.outcome === 'forced') && !r.pod.recreated),
    durationMs: inputs.durationMs,
    // A dry run predicts: would everything leave if the drain ran now?
    metDeadline: clean && (inputs.dryRun || inputs.finishedInTime),
    evictionsIssuedMs: inputs.evictionsIssuedMs,
    evictionsAcceptedMs: inputs.evictionsAcceptedMs,
  };
}
