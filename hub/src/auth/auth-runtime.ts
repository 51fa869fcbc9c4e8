import type { SqlSession } from '../state/metadata-store.ts';
import type { ApiTokenRecord } from '../state/repositories/api-token-repository.ts';
import { LoginFailureRepository } from '../state/repositories/login-failure-repository.ts';
import type { SessionRecord } from '../state/repositories/session-repository.ts';
import { SessionRepository } from '../state/repositories/session-repository.ts';
import type { UserRecord } from '../state/repositories/user-repository.ts';
import { type AuthSettings, DEFAULT_AUTH_SETTINGS } from './auth-settings.ts';
import { CredentialCache } from './credential-cache.ts';
import { LoginThrottle } from './login-throttle.ts';
import { decoyHash } from './password-hash.ts';
import { ROUTE_POLICY, type RoutePolicy } from './route-policy.ts';

export interface AuthDeps {
  /** The metadata store (or anything with its query and transaction). */
  store: SqlSession;
  /** The hub's clock (Clock.now): expiries, idle timeouts and lockouts follow it. */
  now: () => number;
  settings?: Partial<AuthSettings>;
  /** Default {@link ROUTE_POLICY}. */
  policy?: RoutePolicy;
}

/** What the auth hook and the account routes share; made once per API server by registerAuth. */
export interface AuthRuntime {
  readonly store: SqlSession;
  readonly now: () => number;
  readonly settings: AuthSettings;
  readonly policy: RoutePolicy;
  readonly throttle: LoginThrottle;
  /** A hash to verify against for unknown usernames (made once, lazily). */
  decoyHash(): Promise<string>;
  /** Deletes dead sessions and stale failure counts, at most once an hour; called from sign-in so no timer is needed. */
  sweepNow(): Promise<void>;
  /** Recently looked-up API tokens and sessions (see CredentialCache). */
  readonly tokens: CredentialCache<TokenWithOwner>;
  readonly sessions: CredentialCache<SessionWithUser>;
  /** Call after revoking a token, ending sessions or changing or deleting a user: the next request asks the store. */
  forgetCredentials(): void;
}

export type TokenWithOwner = { token: ApiTokenRecord; owner: UserRecord };
export type SessionWithUser = { session: SessionRecord; user: UserRecord };

const SWEEP_EVERY_MS = 3_600_000;

export function createAuthRuntime(deps: AuthDeps): AuthRuntime {
  const settings = { ...DEFAULT_AUTH_SETTINGS, ...deps.settings };
  let decoy: Promise<string> | null = null;
  let lastSweep = Number.NEGATIVE_INFINITY;
  const tokens = new CredentialCache<TokenWithOwner>(deps.now, settings.credentialCacheMs);
  const sessions = new CredentialCache<SessionWithUser>(deps.now, settings.credentialCacheMs);
  return {
    tokens,
    sessions,
    forgetCredentials: () => {
      tokens.clear();
      sessions.clear();
    },
    store: deps.store,
    now: deps.now,
    settings,
    policy: deps.policy ?? ROUTE_POLICY,
    throttle: new LoginThrottle(settings.loginAttemptsPerMinute, deps.now),
    decoyHash: () => {
      decoy ??= decoyHash(settings.scrypt);
      return decoy;
    },
    sweepNow: async () => {
      const now = deps.now();
      if (now - lastSweep < SWEEP_EVERY_MS) return;
      lastSweep = now;
      await new SessionRepository(deps.store).sweep(settings.sessionIdleMs, now);
      await new LoginFailureRepository(deps.store).sweep(settings.lockoutMs, now);
    },
  };
}
