import { useState } from 'preact/hooks';
import { fetchJobs, JOB_STATUSES, type JobStatus, type JobView } from '../api/jobs-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { Time } from '../components/time.tsx';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';

/** Jobs, newest first, filtered by status, kind and requester. */
export function JobsPage() {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [kind, setKind] = useState('');
  const [requestedBy, setRequestedBy] = useState('');
  const state = usePoll<{ jobs: JobView[] }>(
    (s) => fetchJobs({ status: status || undefined, kind: kind || undefined, requestedBy: requestedBy || undefined }, s),
    refreshMs.value,
    [status, kind, requestedBy],
  );
  return (
    <>
      <h1>Jobs</h1>
      <div class="form-row">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as JobStatus | '')}>
            <option value="">any</option>
            {JOB_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Kind <input value={kind} onChange={(e) => setKind((e.target as HTMLInputElement).value.trim())} />
        </label>
        <label>
          Requested by <input value={requestedBy} onChange={(e) => setRequestedBy((e.target as HTMLInputElement).value.trim())} />
        </label>
      </div>
      <AsyncView state={state} noun="jobs" isEmpty={(d) => d.jobs.length === 0}>
        {(d) => (
          <table class="data-table" data-testid="jobs-table">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Requested by</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {d.jobs.map((j) => (
                <tr key={j.id} data-testid="job-row" data-job={j.id} data-status={j.status}>
                  <td>
                    <a href={`/jobs/${j.id}`}>{j.kind}</a>
                    {j.dryRun && <span class="badge">dry run</span>}
                  </td>
                  <td>
                    <span class={`badge job-${j.status}`}>{j.status}</span>
                  </td>
                  <td>
                    <progress max={Math.max(1, j.progress.total)} value={j.progress.done} aria-label="progress" /> {j.progress.percent}%
                  </td>
                  <td>{j.requestedBy}</td>
                  <td>
                    <Time iso={j.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
    </>
  );
}
