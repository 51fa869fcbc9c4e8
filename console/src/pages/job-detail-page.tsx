import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { errorMessage } from '../api/api-error.ts';
import { cancelJob, fetchJob, isFinished, type JobDetail, retryJob } from '../api/jobs-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { Time } from '../components/time.tsx';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

/** One job: steps, logs, approvals; cancel while it runs, retry when it failed. */
export function JobDetailPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const who = principal.value;
  const state = usePoll<JobDetail>((s) => fetchJob(id, s), refreshMs.value, [id]);
  const [msg, setMsg] = useState<string>();
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setMsg(undefined);
      state.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <AsyncView state={state} noun="job">
      {(j) => (
        <>
          <header class="page-head">
            <h1>
              {j.kind} <span class={`badge job-${j.status}`}>{j.status}</span>
            </h1>
            {canAct(who) && !isFinished(j.status) && (
              <button type="button" class="btn" onClick={() => act(() => cancelJob(j.id, 'cancelled from the console'))}>
                Cancel
              </button>
            )}
            {canAct(who) && j.status === 'failed' && (
              <button type="button" class="btn" onClick={() => act(() => retryJob(j.id))}>
                Retry
              </button>
            )}
          </header>
          {msg && <div class="banner error">{msg}</div>}
          <progress max={Math.max(1, j.progress.total)} value={j.progress.done} aria-label="Job progress" />
          <dl class="kv">
            <dt>Requested by</dt>
            <dd>{j.requestedBy}</dd>
            <dt>Note</dt>
            <dd>{j.note || '–'}</dd>
            <dt>Created</dt>
            <dd>
              <Time iso={j.createdAt} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time iso={j.finishedAt} />
            </dd>
            {j.error && (
              <>
                <dt>Error</dt>
                <dd class="bad">{j.error}</dd>
              </>
            )}
          </dl>
          <h2>Steps</h2>
          <table class="data-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Step</th>
                <th>Target</th>
                <th>Status</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {j.steps.map((s) => (
                <tr key={s.seq}>
                  <td>{s.seq}</td>
                  <td>{s.name}</td>
                  <td class="mono">{s.target ?? '–'}</td>
                  <td>{s.status}</td>
                  <td>{s.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Logs</h2>
          <pre class="logs" data-testid="job-logs">
            {j.logs.map((l) => `${l.at} ${l.level.padEnd(5)} ${l.message}`).join('\n') || 'No log lines yet'}
          </pre>
        </>
      )}
    </AsyncView>
  );
}
