import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { signOut } from '../api/auth-api.ts';
import { streamState } from '../lib/use-stream.ts';
import { NAV } from '../state/roles.ts';
import { clearSession, principal } from '../state/session.ts';

const STREAM_TEXT = { connecting: 'connecting', open: 'live', reconnecting: 'reconnecting', unavailable: 'polling' } as const;

/** Top bar and the role's navigation around every signed-in page. */
export function Shell({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const p = principal.value;
  if (!p) return <>{children}</>;
  const items = NAV.filter((n) => n.visible(p));
  const active = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  const leave = async () => {
    try {
      await signOut();
    } finally {
      clearSession();
    }
  };
  return (
    <div class="layout">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Ballast</span>
        <span class={`live-dot ${streamState.value}`} title="Live event stream">
          {STREAM_TEXT[streamState.value]}
        </span>
        <span class="topbar-spacer" />
        <a href="/profile" class="topbar-user" data-testid="current-user">
          {p.name || p.username} · {p.role}
          {p.clientId ? ` · ${p.clientId}` : ''}
        </a>
        <button type="button" class="btn ghost on-dark" onClick={leave} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <nav class="sidenav" aria-label="Main">
        <ul>
          {items.map((n) => (
            <li key={n.href}>
              <a href={n.href} class={active(n.href) ? 'active' : ''} aria-current={active(n.href) ? 'page' : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
