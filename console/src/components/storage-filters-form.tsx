import { deletableIds, fetchSnapshots, fetchVolumes, type StorageFilters } from '../api/storage-api.ts';
import { formatMoney } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';
import { AsyncView } from './async-view.tsx';

interface Props {
  filters: StorageFilters;
  onChange: (f: StorageFilters) => void;
  onPreview: (s: { volumeIds: string[]; snapshotIds: string[] }) => void;
  busy: boolean;
  snapshotFirst: boolean;
  onSnapshotFirst: (v: boolean) => void;
}

const num = (v: string) => (v.trim() === '' ? undefined : Math.max(0, Math.floor(Number(v))) || 0);

/** Step 1: age, size and tag filters over the unattached volumes and unreferenced snapshots. */
export function StorageFiltersForm({ filters, onChange, onPreview, busy, snapshotFirst, onSnapshotFirst }: Props) {
  const key = JSON.stringify(filters);
  const found = usePoll(
    async (s) => {
      const [v, sn] = await Promise.all([fetchVolumes(filters, s), fetchSnapshots(filters, s)]);
      return { volumes: v.volumes, snapshots: sn.snapshots, monthly: v.totals.monthlyCostUsd + sn.totals.monthlyCostUsd };
    },
    0,
    [key],
  );
  return (
    <section class="panel">
      <h2>Filters</h2>
      <div class="form-row">
        <div class="field">
          <label for="f-age">Older than (days)</label>
          <input
            id="f-age"
            inputMode="numeric"
            value={filters.minAgeDays ?? ''}
            onChange={(e) => onChange({ ...filters, minAgeDays: num((e.target as HTMLInputElement).value) })}
          />
        </div>
        <div class="field">
          <label for="f-min">Min size (GiB)</label>
          <input
            id="f-min"
            inputMode="numeric"
            value={filters.minSizeGib ?? ''}
            onChange={(e) => onChange({ ...filters, minSizeGib: num((e.target as HTMLInputElement).value) })}
          />
        </div>
        <div class="field">
          <label for="f-max">Max size (GiB)</label>
          <input
            id="f-max"
            inputMode="numeric"
            value={filters.maxSizeGib ?? ''}
            onChange={(e) => onChange({ ...filters, maxSizeGib: num((e.target as HTMLInputElement).value) })}
          />
        </div>
        <div class="field">
          <label for="f-tags">Tags (key or key=value, comma separated)</label>
          <input
            id="f-tags"
            value={filters.tags.join(', ')}
            onChange={(e) =>
              onChange({
                ...filters,
                tags: (e.target as HTMLInputElement).value
                  .split(',')
                  .map((t) => t.trim())
                  .filter((t) => t !== ''),
              })
            }
          />
        </div>
      </div>
      <label class="check">
        <input type="checkbox" checked={snapshotFirst} onChange={(e) => onSnapshotFirst((e.target as HTMLInputElement).checked)} /> Snapshot
        each volume before deleting it
      </label>
      <AsyncView
        state={found}
        noun="storage"
        isEmpty={(d) => d.volumes.length + d.snapshots.length === 0}
        empty="Nothing matches these filters."
      >
        {(d) => (
          <>
            <p data-testid="storage-matches">
              {d.volumes.length} volumes and {d.snapshots.length} snapshots match, costing {formatMoney(d.monthly)} a month.
            </p>
            <button
              type="button"
              class="btn primary"
              data-testid="wizard-dry-run"
              disabled={busy}
              onClick={() => onPreview({ volumeIds: deletableIds(d.volumes), snapshotIds: deletableIds(d.snapshots) })}
            >
              {busy ? 'Running dry run…' : 'Dry run'}
            </button>
          </>
        )}
      </AsyncView>
    </section>
  );
}
