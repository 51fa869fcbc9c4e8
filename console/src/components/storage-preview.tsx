import type { CleanupPlan } from '../api/storage-api.ts';
import { formatMoney } from '../lib/format.ts';
import { Time } from './time.tsx';

/** Step 2: exactly what would be deleted, and what it saves per month; blocked items with why. */
export function StoragePreview({ plan }: { plan: CleanupPlan }) {
  const monthly =
    plan.netMonthlySavingUsd ??
    plan.monthlySavingUsd ??
    [...plan.volumes, ...plan.snapshots].reduce((s, x) => s + (typeof x.monthlyCostUsd === 'number' ? x.monthlyCostUsd : 0), 0);
  return (
    <section class="panel" data-testid="storage-preview">
      <h2>Dry-run preview</h2>
      <p>
        Would delete <strong>{plan.volumes.length}</strong> volumes and <strong>{plan.snapshots.length}</strong> snapshots, saving{' '}
        <strong data-testid="preview-saving">{formatMoney(monthly)}</strong> a month.
      </p>
      {(plan.blocked?.length ?? 0) > 0 && (
        <div class="banner warn">
          Blocked (will not be deleted):
          <ul>
            {plan.blocked?.map((b) => (
              <li key={b.id}>
                <span class="mono">{b.id}</span>: {b.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <table class="data-table">
        <thead>
          <tr>
            <th>Id</th>
            <th class="num">Size</th>
            <th>Created</th>
            <th class="num">Per month</th>
          </tr>
        </thead>
        <tbody>
          {plan.volumes.map((v) => (
            <tr key={v.id}>
              <td class="mono">{v.id}</td>
              <td class="num">{v.sizeGib} GiB</td>
              <td>
                <Time iso={v.createdAt} />
              </td>
              <td class="num">{formatMoney(v.monthlyCostUsd)}</td>
            </tr>
          ))}
          {plan.snapshots.map((s) => (
            <tr key={s.id}>
              <td class="mono">{s.id}</td>
              <td class="num">{s.sizeGib} GiB</td>
              <td>
                <Time iso={s.startedAt} />
              </td>
              <td class="num">{formatMoney(s.monthlyCostUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
