import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { fetchKillSwitch, KILL_SWITCH_PHRASE, recomputeRisk, setKillSwitch } from '../api/controls-api.ts';
import { JobProgress } from '../components/job-progress.tsx';
import { ScoringModels } from '../components/scoring-models.tsx';
import { phraseMatches, TypedConfirm } from '../components/typed-confirm.tsx';
import { formatDateTime } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';

function KillSwitch() {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<string>();
  const [note, setNote] = useState('');
  const state = usePoll(fetchKillSwitch, 0);
  const act = async (engage: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const a = await setKillSwitch(engage, note, typed);
      setJobId(a.job.id);
      setTyped('');
      state.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel danger-zone" data-testid="kill-switch">
      <h2>Platform kill switch</h2>
      <p>Disables spot for every client: every spot node is moved to on-demand, within disruption budgets, as one job.</p>
      {state.data && (
        <p data-testid="kill-switch-state">
          Spot is <strong>{state.data.spotDisabled ? 'disabled platform-wide' : 'allowed'}</strong>
          {state.data.changedAt ? ` (changed by ${state.data.changedBy ?? '?'} at ${formatDateTime(state.data.changedAt)})` : ''}
        </p>
      )}
      <div class="field">
        <label for="kill-note">Audit note</label>
        <input id="kill-note" class="wide" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </div>
      <TypedConfirm id="kill-phrase" phrase={KILL_SWITCH_PHRASE} value={typed} onInput={setTyped} />
      <div class="actions">
        <button
          type="button"
          class="btn danger"
          data-testid="kill-switch-disable"
          disabled={busy || !phraseMatches(KILL_SWITCH_PHRASE, typed)}
          onClick={() => act(true)}
        >
          Disable spot everywhere
        </button>
        <button type="button" class="btn" disabled={busy || state.data?.spotDisabled === false} onClick={() => act(false)}>
          Re-enable spot
        </button>
      </div>
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      {jobId && <JobProgress jobId={jobId} />}
    </section>
  );
}

function RecomputeRisk() {
  const [msg, setMsg] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await recomputeRisk();
      setMsg(`Rescored ${r.pools} pools at ${formatDateTime(r.computedAt)}`);
    } catch (err) {
      setMsg(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel">
      <h2>Risk scores</h2>
      <button type="button" class="btn" disabled={busy} onClick={run} data-testid="recompute-risk">
        Recompute risk now
      </button>
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}

/** Hub-wide controls (hub admins only): kill switch, risk recompute, scoring models. */
export function ControlsPage() {
  return (
    <>
      <h1>Controls</h1>
      <KillSwitch />
      <RecomputeRisk />
      <ScoringModels />
    </>
  );
}
