import { useState } from 'preact/hooks';
import { errorMessage } from '../api/api-error.ts';
import { signIn } from '../api/auth-api.ts';
import { setSession, signInNotice } from '../state/session.ts';

/** Username and password; the hub sets the session cookie and hands back the anti-CSRF token. */
export function SignInPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await signIn(username, password);
      setSession(s.principal, s.csrfToken);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="sign-in-card" onSubmit={submit} data-testid="sign-in-form">
        <h1>Ballast</h1>
        <p class="muted">Sign in to the operations console</p>
        {signInNotice.value && <div class="banner warn">{signInNotice.value}</div>}
        <div class="field">
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </div>
        {error && (
          <div class="banner error" role="alert" data-testid="sign-in-error">
            {error}
          </div>
        )}
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
