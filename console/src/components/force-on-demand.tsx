import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { forceOnDemand, type OverrideLevel } from '../api/instance-api.ts';
import { formatDuration } from '../lib/format.ts';
import { type DurationChoice, DurationSelector } from './duration-selector.tsx';
import { JobProgress } from './job-progress.tsx';
import { Modal } from './modal.tsx';

interface Props {
  level: OverrideLevel;
  id: string;
  /** What the user sees being forced, e.g. "instance i-0abc…" or "cluster prod-eu". */
  label: string;
}

const SCOPE: Record<OverrideLevel, string> = {
  instances: 'this instance',
  clusters: 'every spot node of this cluster',
  clients: 'every spot node of every cluster of this client',
};

/** Force on-demand for a while: choose a duration, confirm, then follow the job it starts. */
export function ForceOnDemand({ level, id, label }: Props) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<DurationChoice>({ valid: true, hours: 2 });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<string>();

  const submit = async () => {
    if (!choice.valid) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await forceOnDemand(level, id, choice.hours);
      const job = answer.job as { id?: string } | undefined;
      if (job?.id) setJobId(job.id);
      else setOpen(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class="btn warn" data-testid={`force-on-demand-${level}`} onClick={() => setOpen(true)}>
        Force on-demand…
      </button>
      {open && (
        <Modal title={`Force on-demand: ${label}`} onClose={() => setOpen(false)}>
          {jobId ? (
            <JobProgress jobId={jobId} />
          ) : (
            <>
              <p>
                Replaces {SCOPE[level]} with on-demand capacity, within the disruption budget. When the time is up, Ballast may move it back
                to spot.
              </p>
              <DurationSelector onChange={setChoice} idPrefix={`fod-${level}`} />
              {error && (
                <div class="banner error" role="alert">
                  {error}
                </div>
              )}
              <div class="modal-actions">
                <button type="button" class="btn" onClick={() => setOpen(false)}>
                  Cancel
                </button>
                <button type="button" class="btn primary" data-testid="confirm-force" disabled={!choice.valid || busy} onClick={submit}>
                  {choice.valid
                    ? `Force on-demand ${choice.hours === null ? 'until lifted' : `for ${formatDuration(choice.hours * 3_600_000)}`}`
                    : 'Choose a duration'}
                </button>
              </div>
            </>
          )}
        </Modal>
      )}
    </>
  );
}
