import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { type AuditFilter, fetchAudit, fetchAuditCsv } from '../api/audit-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { Time } from '../components/time.tsx';
import { saveText } from '../lib/download.ts';
import { usePoll } from '../lib/use-poll.ts';

const toIso = (local: string) => (local === '' ? undefined : new Date(local).toISOString());

/** Who did what, when, from where; filtered; CSV of every matching entry. */
export function AuditPage() {
  const [filter, setFilter] = useState<AuditFilter>({});
  const [msg, setMsg] = useState<string>();
  const state = usePoll((s) => fetchAudit(filter, s), 0, [JSON.stringify(filter)]);
  const set = (k: keyof AuditFilter) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value.trim();
    setFilter({ ...filter, [k]: k === 'from' || k === 'to' ? toIso(v) : v || undefined });
  };
  const csv = async () => {
    try {
      saveText(await fetchAuditCsv(filter), 'audit.csv');
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <>
      <h1>Audit log</h1>
      <div class="form-row">
        <label>
          Actor <input onChange={set('actor')} />
        </label>
        <label>
          Action <input onChange={set('action')} />
        </label>
        <label>
          Target <input onChange={set('target')} />
        </label>
        <label>
          From <input type="datetime-local" onChange={set('from')} />
        </label>
        <label>
          To <input type="datetime-local" onChange={set('to')} />
        </label>
        <button type="button" class="btn" onClick={csv}>
          Export CSV
        </button>
      </div>
      {msg && <div class="banner error">{msg}</div>}
      <AsyncView state={state} noun="audit entries" isEmpty={(d) => d.entries.length === 0}>
        {(d) => (
          <table class="data-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Result</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {d.entries.map((e) => (
                <tr key={String(e.id)}>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>{e.actor}</td>
                  <td class="mono">{e.action}</td>
                  <td class="mono">{e.target}</td>
                  <td>{e.result}</td>
                  <td class="mono">{e.sourceIp ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
    </>
  );
}
