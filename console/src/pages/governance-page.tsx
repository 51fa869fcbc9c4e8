import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { applyGovernance, fetchUnregistered, type GovernanceAction, type GovernanceList } from '../api/governance-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { JobProgress } from '../components/job-progress.tsx';
import { formatDuration, formatMoney } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

/** Instances no Ballast cluster registered, with age and cost; select, then terminate or tag as ignored. */
export function GovernancePage() {
  const who = principal.value;
  const state = usePoll<GovernanceList & { at: number }>(async (s) => ({ ...(await fetchUnregistered(false, s)), at: Date.now() }), 0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<string>();
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const apply = async (action: GovernanceAction) => {
    setError(undefined);
    try {
      const a = await applyGovernance([...selected], action, note);
      setJobId(a.job.id);
      setSelected(new Set());
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <>
      <h1>Governance</h1>
      <AsyncView
        state={state}
        noun="unregistered instances"
        isEmpty={(d) => d.instances.length === 0}
        empty="Every instance belongs to a known cluster."
      >
        {(d) => (
          <>
            <p>
              {d.totals.count} instances, {formatMoney(d.totals.monthlyCostUsd)} a month
              {d.totals.unpriced > 0 ? ` (${d.totals.unpriced} without a price)` : ''}.
            </p>
            <table class="data-table">
              <thead>
                <tr>
                  {canAct(who) && <th>Select</th>}
                  <th>Instance</th>
                  <th>Type</th>
                  <th>Why</th>
                  <th class="num">Age</th>
                  <th class="num">Per month</th>
                </tr>
              </thead>
              <tbody>
                {d.instances.map((i) => (
                  <tr key={i.id}>
                    {canAct(who) && (
                      <td>
                        <input type="checkbox" aria-label={`Select ${i.id}`} checked={selected.has(i.id)} onChange={() => toggle(i.id)} />
                      </td>
                    )}
                    <td class="mono">{i.id}</td>
                    <td class="mono">{i.instanceType}</td>
                    <td>{i.reason === 'unknown-cluster' ? `cluster tag ${i.clusterTag ?? '?'} not served` : (i.reason ?? '–')}</td>
                    <td class="num">{formatDuration(d.at - Date.parse(i.launchedAt))}</td>
                    <td class="num">{formatMoney(i.monthlyCostUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </AsyncView>
      {canAct(who) && selected.size > 0 && (
        <section class="panel">
          <h2>{selected.size} selected</h2>
          <div class="field">
            <label for="gov-note">Audit note (required to terminate)</label>
            <input id="gov-note" class="wide" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          </div>
          <div class="actions">
            <button type="button" class="btn" onClick={() => apply('tag-as-ignored')}>
              Tag as ignored
            </button>
            <button type="button" class="btn danger" disabled={note.trim() === ''} onClick={() => apply('terminate')}>
              Terminate
            </button>
          </div>
        </section>
      )}
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      {jobId && <JobProgress jobId={jobId} onFinished={() => state.reload()} />}
    </>
  );
}
