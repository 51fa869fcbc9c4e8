import { useState } from 'preact/hooks';
import { createToken, fetchTokens, revokeToken } from '../api/admin-api.ts';
import { errorMessage } from '../api/api-error.ts';
import { usePoll } from '../lib/use-poll.ts';
import type { Role } from '../state/roles.ts';
import { AsyncView } from './async-view.tsx';
import { Time } from './time.tsx';

/** API tokens: the secret is shown once, right after creation. */
export function TokensAdmin() {
  const tokens = usePoll(fetchTokens, 0);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('30');
  const [secret, setSecret] = useState<string>();
  const [msg, setMsg] = useState<string>();
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      const t = await createToken(name, role, Number(days));
      setSecret(t.token);
      setMsg(undefined);
      tokens.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  const revoke = async (id: string) => {
    try {
      await revokeToken(id);
      tokens.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <section class="panel">
      <h2>API tokens</h2>
      {msg && <div class="banner error">{msg}</div>}
      {secret && (
        <div class="banner warn">
          Copy this token now, it is not shown again: <code class="mono">{secret}</code>
        </div>
      )}
      <AsyncView state={tokens} noun="tokens" isEmpty={(d) => d.length === 0}>
        {(d) => (
          <table class="data-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Prefix</th>
                <th>Owner</th>
                <th>Role</th>
                <th>Expires</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td class="mono">{t.prefix}</td>
                  <td>{t.owner}</td>
                  <td>{t.role}</td>
                  <td>
                    <Time iso={t.expiresAt} />
                  </td>
                  <td>
                    <Time iso={t.lastUsedAt} />
                  </td>
                  <td>
                    {t.active ? (
                      <button type="button" class="btn" onClick={() => revoke(t.id)}>
                        Revoke
                      </button>
                    ) : (
                      <span class="muted">{t.revokedAt ? 'revoked' : 'expired'}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
      <form class="form-row" onSubmit={add}>
        <input
          aria-label="Token name"
          placeholder="name"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          required
        />
        <select aria-label="Token role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
          <option>viewer</option>
          <option>operator</option>
          <option>admin</option>
        </select>
        <input
          aria-label="Expires in days"
          inputMode="numeric"
          value={days}
          onInput={(e) => setDays((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="btn primary">
          Create token
        </button>
      </form>
    </section>
  );
}
