import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { updateMe } from '../api/auth-api.ts';
import { csrfToken, principal, setSession } from '../state/session.ts';

/** One's own name and password (the current one is required to change it). */
export function ProfilePage() {
  const p = principal.value;
  const [name, setName] = useState(p?.name ?? '');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [msg, setMsg] = useState<string>();
  if (!p) return null;
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const change = next === '' ? { name } : { name, password: next, currentPassword: current };
      const u = await updateMe(change);
      setSession({ ...p, name: u.name }, csrfToken.value);
      setMsg('Saved');
      setCurrent('');
      setNext('');
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <>
      <h1>Profile</h1>
      <dl class="kv">
        <dt>Username</dt>
        <dd>{p.username}</dd>
        <dt>Role</dt>
        <dd>{p.role}</dd>
        <dt>Client</dt>
        <dd>{p.clientId ?? 'hub staff (all clients)'}</dd>
        <dt>Time zone</dt>
        <dd>{Intl.DateTimeFormat().resolvedOptions().timeZone}</dd>
      </dl>
      <form class="panel narrow" onSubmit={save}>
        <div class="field">
          <label for="p-name">Name</label>
          <input id="p-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="p-cur">Current password</label>
          <input
            id="p-cur"
            type="password"
            autocomplete="current-password"
            value={current}
            onInput={(e) => setCurrent((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="p-new">New password</label>
          <input
            id="p-new"
            type="password"
            autocomplete="new-password"
            value={next}
            onInput={(e) => setNext((e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" class="btn primary">
          Save
        </button>
        {msg && <p role="status">{msg}</p>}
      </form>
    </>
  );
}
