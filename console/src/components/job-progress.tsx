import { fetchJob, isFinished, type JobDetail } from '../api/jobs-api.ts';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';
import { ErrorBanner } from './error-banner.tsx';

interface Props {
  jobId: string;
  onFinished?: (job: JobDetail) => void;
}

/** Follows one job to its end: status, a progress bar, the current step and the last log lines. */
export function JobProgress({ jobId, onFinished }: Props) {
  const state = usePoll<JobDetail>(
    async (signal) => {
      const j = await fetchJob(jobId, signal);
      if (isFinished(j.status)) onFinished?.(j);
      return j;
    },
    Math.min(refreshMs.value, 1000),
    [jobId],
  );
  const j = state.data;
  if (!j) return state.error ? <ErrorBanner error={state.error} what="Could not follow the job" /> : <p class="muted">Starting the job…</p>;
  const current = j.steps.find((s) => s.status === 'running') ?? j.steps.at(-1);
  return (
    <div class="job-progress" data-testid="job-progress" data-status={j.status}>
      <div class="job-progress-head">
        <span class={`badge job-${j.status}`} data-testid="job-status">
          {j.status}
        </span>
        <span class="mono">{j.kind}</span>
        <a href={`/jobs/${j.id}`}>job details</a>
      </div>
      <progress max={Math.max(1, j.progress.total)} value={j.progress.done} aria-label="Job progress" />
      <div class="muted">
        {j.progress.done} of {j.progress.total} steps ({j.progress.percent}%){current ? ` · ${current.name}: ${current.status}` : ''}
      </div>
      {j.error && <div class="banner error">{j.error}</div>}
      {j.status === 'waiting-approval' && <div class="banner warn">Waiting for a second person to approve it (Approvals page).</div>}
    </div>
  );
}
