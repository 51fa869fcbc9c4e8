import { DEFAULT_SCRYPT_COST, type ScryptCost } from './password-hash.ts';

/** How sign-in behaves; built from the hub's config (see the README's Sign-in section). */
export interface AuthSettings {
  /** A session ends this long after sign-in, however active. */
  sessionTtlMs: number;
  /** A session ends after this long without a request. */
  sessionIdleMs: number;
  /** Always mark cookies Secure; otherwise only when the request came over TLS (as Fastify sees it, trustProxy included). */
  secureCookies: boolean;
  /** Failed sign-ins for one username within `lockoutMs` that lock it for `lockoutMs`. */
  maxLoginFailures: number;
  lockoutMs: number;
  /** Sign-in attempts per minute from one IP address for one username; more get 429. */
  loginAttemptsPerMinute: number;
  /** Whether anyone may create a client account (a tenant and its first admin) with POST /api/v1/auth/signup. */
  allowSignup: boolean;
  /** scrypt cost of new password hashes; tests lower it, production keeps the default. */
  scrypt: ScryptCost;
  /**
   * How long a looked-up API token or session is reused without asking the metadata store
   * (0: never). A revocation made on another hub takes up to this long to count here.
   */
  credentialCacheMs: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionTtlMs: 12 * 3_600_000,
  sessionIdleMs: 30 * 60_000,
  secureCookies: false,
  maxLoginFailures: 5,
  lockoutMs: 15 * 60_000,
  loginAttemptsPerMinute: 10,
  allowSignup: false,
  scrypt: DEFAULT_SCRYPT_COST,
  credentialCacheMs: 5_000,
};

/** The config fields the hub reads (names as in hub-config.ts), converted to settings. */
export interface AuthConfig {
  sessionTtlHours: number;
  sessionIdleMinutes: number;
  cookieSecure: boolean;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
  loginRatePerMinute: number;
  allowSignup: boolean;
}

export function authSettingsFromConfig(c: AuthConfig): AuthSettings {
  return {
    ...DEFAULT_AUTH_SETTINGS,
    sessionTtlMs: c.sessionTtlHours * 3_600_000,
    sessionIdleMs: c.sessionIdleMinutes * 60_000,
    secureCookies: c.cookieSecure,
    maxLoginFailures: c.loginMaxFailures,
    lockoutMs: c.loginLockoutMinutes * 60_000,
    loginAttemptsPerMinute: c.loginRatePerMinute,
    allowSignup: c.allowSignup,
  };
}
