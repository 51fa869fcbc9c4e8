import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { type CleanupPlan, deletableIds, dryRun, runCleanup, type StorageFilters } from '../api/storage-api.ts';
import { JobProgress } from '../components/job-progress.tsx';
import { StorageFiltersForm } from '../components/storage-filters-form.tsx';
import { StoragePreview } from '../components/storage-preview.tsx';
import { WizardSteps } from '../components/wizard-steps.tsx';
import { canAdvance, type WizardStep } from '../lib/wizard-model.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

/** Storage cleanup: filters → dry-run preview → confirmation with an audit note → job progress. */
export function StoragePage() {
  const who = principal.value;
  const [step, setStep] = useState<WizardStep>('filters');
  const [filters, setFilters] = useState<StorageFilters>({ tags: [] });
  const [plan, setPlan] = useState<CleanupPlan>();
  const [snapshotFirst, setSnapshotFirst] = useState(false);
  const [note, setNote] = useState('');
  const [ack, setAck] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<string>();
  const [approvalPending, setApprovalPending] = useState(false);
  const [selection, setSelection] = useState<{ volumeIds: string[]; snapshotIds: string[] }>({ volumeIds: [], snapshotIds: [] });

  const state = {
    step,
    previewed: plan !== undefined,
    selectedCount: selection.volumeIds.length + selection.snapshotIds.length,
    blockedCount: plan?.blocked?.length ?? 0,
    note,
    acknowledged: ack,
  };
  const gate = canAdvance(state, who);

  const preview = async (s: { volumeIds: string[]; snapshotIds: string[] }) => {
    setBusy(true);
    setError(undefined);
    try {
      const p = await dryRun({ ...s, snapshotBeforeDelete: snapshotFirst });
      setPlan(p);
      setSelection({ volumeIds: deletableIds(p.volumes), snapshotIds: deletableIds(p.snapshots) });
      setStep('preview');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const execute = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const a = await runCleanup({ ...selection, snapshotBeforeDelete: snapshotFirst }, note);
      setJobId(a.job.id);
      setApprovalPending(a.approval !== null);
      setStep('progress');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Storage cleanup</h1>
      <WizardSteps current={step} />
      {error && (
        <div class="banner error" role="alert" data-testid="wizard-error">
          {error}
        </div>
      )}
      {!canAct(who) && <div class="banner warn">Your role ({who?.role}) can look and preview; deleting needs an operator or admin.</div>}
      {step === 'filters' && (
        <StorageFiltersForm
          filters={filters}
          onChange={(f) => {
            setFilters(f);
            setPlan(undefined);
          }}
          busy={busy}
          onPreview={preview}
          snapshotFirst={snapshotFirst}
          onSnapshotFirst={setSnapshotFirst}
        />
      )}
      {step === 'preview' && plan && (
        <>
          <StoragePreview plan={plan} />
          <div class="actions">
            <button type="button" class="btn" onClick={() => setStep('filters')}>
              Back to filters
            </button>
            <button type="button" class="btn primary" data-testid="wizard-next" disabled={!gate.allowed} onClick={() => setStep('confirm')}>
              Continue to confirmation
            </button>
            {!gate.allowed && (
              <span class="gate-reason" data-testid="gate-reason">
                {gate.reason}
              </span>
            )}
          </div>
        </>
      )}
      {step === 'confirm' && (
        <section class="panel">
          <h2>Confirm</h2>
          <p>
            Delete {selection.volumeIds.length} volumes and {selection.snapshotIds.length} snapshots
            {snapshotFirst ? ' (each volume snapshotted first)' : ''}. This cannot be undone.
          </p>
          <div class="field">
            <label for="audit-note">Audit note (why)</label>
            <textarea
              id="audit-note"
              rows={3}
              class="wide"
              value={note}
              onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={ack}
              onChange={(e) => setAck((e.target as HTMLInputElement).checked)}
              data-testid="wizard-ack"
            />{' '}
            I understand deleted volumes and snapshots cannot be restored
          </label>
          <div class="actions">
            <button type="button" class="btn" onClick={() => setStep('preview')}>
              Back
            </button>
            <button type="button" class="btn danger" data-testid="wizard-delete" disabled={!gate.allowed || busy} onClick={execute}>
              Delete
            </button>
            {!gate.allowed && (
              <span class="gate-reason" data-testid="gate-reason">
                {gate.reason}
              </span>
            )}
          </div>
        </section>
      )}
      {step === 'progress' && jobId && (
        <section class="panel">
          {approvalPending && <div class="banner warn">Policy asks for a second person: the job waits on the Approvals page.</div>}
          <JobProgress jobId={jobId} />
        </section>
      )}
    </>
  );
}
