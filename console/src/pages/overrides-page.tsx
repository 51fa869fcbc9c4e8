import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { fetchOverrides, liftForceOnDemand, OVERRIDE_PATHS, type OverrideView } from '../api/instance-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { Time } from '../components/time.tsx';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

const targetHref = (o: OverrideView) =>
  o.level === 'instance'
    ? `/instances/${encodeURIComponent(o.target)}`
    : o.level === 'client'
      ? `/clients/${encodeURIComponent(o.target)}`
      : null;

/** Force on-demand overrides in force (instance, cluster, client), and lifting one. */
export function OverridesPage() {
  const who = principal.value;
  const state = usePoll<OverrideView[]>(fetchOverrides, refreshMs.value);
  const [error, setError] = useState<string>();
  const [lifting, setLifting] = useState<string>();
  const lift = async (o: OverrideView) => {
    const level = OVERRIDE_PATHS[o.level];
    if (!level) return;
    setLifting(o.id);
    setError(undefined);
    try {
      await liftForceOnDemand(level, o.target);
      state.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLifting(undefined);
    }
  };
  return (
    <>
      <h1>Overrides</h1>
      <p class="muted">Nodes forced on-demand by a person. Lifting one lets Ballast move them back to spot when that is worth it.</p>
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      <AsyncView state={state} noun="overrides" isEmpty={(d) => d.length === 0} empty="Nothing is forced on-demand.">
        {(d) => (
          <table class="data-table" data-testid="overrides">
            <thead>
              <tr>
                <th>Level</th>
                <th>Target</th>
                <th>Cluster</th>
                <th>Why</th>
                <th>By</th>
                <th>Since</th>
                <th>Until</th>
                {canAct(who) && <th />}
              </tr>
            </thead>
            <tbody>
              {d.map((o) => {
                const href = targetHref(o);
                return (
                  <tr key={o.id} data-testid="override-row" data-target={o.target}>
                    <td>{o.level}</td>
                    <td class="mono">{href ? <a href={href}>{o.target}</a> : o.target}</td>
                    <td>{o.clusterId ?? '–'}</td>
                    <td>{o.reason ?? '–'}</td>
                    <td>{o.createdBy ?? '–'}</td>
                    <td>{o.createdAt ? <Time iso={o.createdAt} /> : '–'}</td>
                    <td>{o.expiresAt ? <Time iso={o.expiresAt} /> : 'lifted by hand'}</td>
                    {canAct(who) && (
                      <td>
                        <button type="button" class="btn" disabled={lifting === o.id} onClick={() => lift(o)} data-testid="lift-override">
                          Lift
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </AsyncView>
    </>
  );
}
