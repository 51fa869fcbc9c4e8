import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { type ApprovalView, decideApproval, fetchApprovals } from '../api/jobs-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { Time } from '../components/time.tsx';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

function Decide({ a, onDone }: { a: ApprovalView; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState<string>();
  const go = async (d: 'approve' | 'reject') => {
    try {
      await decideApproval(a.id, d, reason);
      onDone();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <div class="decide">
      <input
        aria-label="Reason"
        placeholder="Reason (for the audit log)"
        value={reason}
        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
      />
      <button type="button" class="btn primary" disabled={reason.trim() === ''} onClick={() => go('approve')}>
        Approve
      </button>
      <button type="button" class="btn" disabled={reason.trim() === ''} onClick={() => go('reject')}>
        Reject
      </button>
      {msg && <span class="field-error">{msg}</span>}
    </div>
  );
}

/** Pending approvals: a second person approves or rejects, with a reason. */
export function ApprovalsPage() {
  const who = principal.value;
  const [status, setStatus] = useState('pending');
  const state = usePoll((s) => fetchApprovals(status, s), refreshMs.value, [status]);
  return (
    <>
      <h1>Approvals</h1>
      <label>
        Show{' '}
        <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          <option value="pending">pending</option>
          <option value="all">all</option>
        </select>
      </label>
      <AsyncView state={state} noun="approvals" isEmpty={(d) => d.approvals.length === 0} empty="Nothing waits for approval.">
        {(d) => (
          <table class="data-table">
            <thead>
              <tr>
                <th>Action</th>
                <th>Summary</th>
                <th>Requested</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.approvals.map((a) => (
                <tr key={a.id}>
                  <td>{a.action}</td>
                  <td>
                    {a.summary} <a href={`/jobs/${a.jobId}`}>job</a>
                  </td>
                  <td>
                    {a.requestedBy}, <Time iso={a.requestedAt} />
                  </td>
                  <td>{a.status}</td>
                  <td>{canAct(who) && a.status === 'pending' && <Decide a={a} onDone={state.reload} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
    </>
  );
}
