import { useState } from 'preact/hooks';
import { createUser, fetchUsers, updateUser } from '../api/admin-api.ts';
import { errorMessage } from '../api/api-error.ts';
import { usePoll } from '../lib/use-poll.ts';
import type { Role } from '../state/roles.ts';
import { AsyncView } from './async-view.tsx';

export function UsersAdmin() {
  const users = usePoll(fetchUsers, 0);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' as Role, clientId: '' });
  const [msg, setMsg] = useState<string>();
  const act = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      setMsg(done);
      users.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <section class="panel">
      <h2>Users</h2>
      {msg && <p role="status">{msg}</p>}
      <AsyncView state={users} noun="users" isEmpty={(d) => d.length === 0}>
        {(d) => (
          <table class="data-table" data-testid="users-table">
            <thead>
              <tr>
                <th>Username</th>
                <th>Role</th>
                <th>Client</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td>
                  <td>
                    <select
                      aria-label={`Role of ${u.username}`}
                      value={u.role}
                      onChange={(e) => act(() => updateUser(u.id, { role: (e.target as HTMLSelectElement).value as Role }), 'Role changed')}
                    >
                      <option>admin</option>
                      <option>operator</option>
                      <option>viewer</option>
                    </select>
                  </td>
                  <td>{u.clientId ?? 'hub'}</td>
                  <td>{u.disabled ? 'disabled' : 'active'}</td>
                  <td>
                    <button
                      type="button"
                      class="btn"
                      onClick={() => act(() => updateUser(u.id, { disabled: !u.disabled }), u.disabled ? 'Enabled' : 'Disabled')}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
      <form
        class="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => createUser({ ...form, clientId: form.clientId === '' ? null : form.clientId }), `Created ${form.username}`);
        }}
      >
        <input aria-label="Username" placeholder="username" value={form.username} onInput={set('username')} required />
        <input
          aria-label="Password"
          placeholder="password"
          type="password"
          autocomplete="new-password"
          value={form.password}
          onInput={set('password')}
          required
        />
        <select aria-label="Role" value={form.role} onChange={set('role')}>
          <option>viewer</option>
          <option>operator</option>
          <option>admin</option>
        </select>
        <input aria-label="Client id" placeholder="client id (blank = hub)" value={form.clientId} onInput={set('clientId')} />
        <button type="submit" class="btn primary">
          Add user
        </button>
      </form>
    </section>
  );
}
