import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import {
  clearShadow,
  fetchModels,
  fetchPools,
  type PoolRow,
  promoteModel,
  type ScoringModel,
  setShadow,
  uploadModel,
} from '../api/controls-api.ts';
import { usePoll } from '../lib/use-poll.ts';
import { AsyncView } from './async-view.tsx';
import { Time } from './time.tsx';

const total = (s: PoolRow['score'] | undefined) => (typeof s === 'number' ? s : typeof s?.total === 'number' ? s.total : null);

/** Models: upload JSON, promote, run one in shadow; the shadow comparison lists pools whose score moves most. */
export function ScoringModels() {
  const models = usePoll<ScoringModel[]>(fetchModels, 0);
  const pools = usePoll(fetchPools, 0);
  const [text, setText] = useState('');
  const [msg, setMsg] = useState<string>();
  const act = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      setMsg(done);
      models.reload();
      pools.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  const upload = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      setMsg(`Not JSON: ${errorMessage(err)}`);
      return;
    }
    void act(() => uploadModel(parsed), 'Model uploaded');
  };
  const moved = (pools.data?.pools ?? [])
    .filter((p) => p.shadowScore !== undefined)
    .map((p) => ({ p, a: typeof p.total === 'number' ? p.total : total(p.score), s: total(p.shadowScore) }))
    .filter((x) => x.a !== null && x.s !== null)
    .sort((x, y) => Math.abs((y.s ?? 0) - (y.a ?? 0)) - Math.abs((x.s ?? 0) - (x.a ?? 0)))
    .slice(0, 10);
  return (
    <section class="panel">
      <h2>Scoring models</h2>
      {msg && <p role="status">{msg}</p>}
      <AsyncView state={models} noun="models" isEmpty={(d) => d.length === 0}>
        {(d) => (
          <table class="data-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Version</th>
                <th>Status</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.map((m) => (
                <tr key={m.id}>
                  <td>{m.name}</td>
                  <td class="mono">{m.version}</td>
                  <td>
                    <span class="badge">{m.status}</span>
                  </td>
                  <td>
                    <Time iso={m.createdAt} /> by {m.createdBy}
                  </td>
                  <td class="actions">
                    {m.status !== 'active' && (
                      <button type="button" class="btn" onClick={() => act(() => promoteModel(m.id), `Promoted ${m.name}`)}>
                        Promote
                      </button>
                    )}
                    {m.status !== 'shadow' && m.status !== 'active' && (
                      <button type="button" class="btn" onClick={() => act(() => setShadow(m.id), `${m.name} runs in shadow`)}>
                        Shadow
                      </button>
                    )}
                    {m.status === 'shadow' && (
                      <button type="button" class="btn" onClick={() => act(clearShadow, 'Shadow cleared')}>
                        Stop shadow
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
      {moved.length > 0 && (
        <>
          <h3>Shadow comparison: pools that move most</h3>
          <table class="data-table">
            <thead>
              <tr>
                <th>Pool</th>
                <th class="num">Active</th>
                <th class="num">Shadow</th>
              </tr>
            </thead>
            <tbody>
              {moved.map(({ p, a, s }) => (
                <tr key={p.poolId}>
                  <td class="mono">{p.poolId}</td>
                  <td class="num">{a?.toFixed(3)}</td>
                  <td class="num">{s?.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <details>
        <summary>Upload a model (JSON)</summary>
        <textarea
          rows={8}
          class="mono wide"
          aria-label="Model JSON"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        <button type="button" class="btn" disabled={text.trim() === ''} onClick={upload}>
          Upload
        </button>
      </details>
    </section>
  );
}
