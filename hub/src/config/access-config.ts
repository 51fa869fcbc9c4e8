import { field } from '@ballast/common';

/**
 * Who may reach the hub and how: sign-in, agent enrolment, TLS of the agent listener and
 * the HTTP hygiene of the API (see the README's "Sign-in and access" section). Secure by
 * default: agents need an enrolment token and CORS is off; only the demo opens things up.
 */
export const ACCESS_CONFIG = {
  adminUser: field({
    kind: 'string',
    flag: 'admin-user',
    env: ['BALLAST_ADMIN_USER'],
    default: 'admin',
    help: 'username of the first admin, created at first start when the hub has no user',
  }),
  adminPassword: field({
    kind: 'string',
    flag: 'admin-password',
    env: ['BALLAST_ADMIN_PASSWORD'],
    default: '',
    check: (v: string) => (v === '' || (v.length >= 12 && v.length <= 1024) ? null : 'must be 12 to 1024 characters long'),
    help: "first admin's initial password; empty: a generated one is printed once to stderr at first start",
  }),
  allowSignup: field({
    kind: 'bool',
    flag: 'allow-signup',
    env: ['BALLAST_ALLOW_SIGNUP'],
    default: false,
    help: 'let anyone create a client account (a tenant and its admin) with POST /api/v1/auth/signup',
  }),
  cookieSecure: field({
    kind: 'bool',
    flag: 'cookie-secure',
    env: ['BALLAST_COOKIE_SECURE'],
    default: false,
    help: 'always mark session cookies Secure (they are anyway when the request came over TLS)',
  }),
  sessionTtlHours: field({
    kind: 'int',
    flag: 'session-ttl-hours',
    env: ['BALLAST_SESSION_TTL_HOURS'],
    default: 12,
    min: 1,
    max: 24 * 30,
    help: 'a session ends this long after sign-in',
  }),
  sessionIdleMinutes: field({
    kind: 'int',
    flag: 'session-idle-minutes',
    env: ['BALLAST_SESSION_IDLE_MINUTES'],
    default: 30,
    min: 1,
    max: 24 * 60,
    help: 'a session ends after this long without a request',
  }),
  loginMaxFailures: field({
    kind: 'int',
    flag: 'login-max-failures',
    env: ['BALLAST_LOGIN_MAX_FAILURES'],
    default: 5,
    min: 1,
    max: 1000,
    help: 'failed sign-ins for one username that lock it',
  }),
  loginLockoutMinutes: field({
    kind: 'int',
    flag: 'login-lockout-minutes',
    env: ['BALLAST_LOGIN_LOCKOUT_MINUTES'],
    default: 15,
    min: 1,
    max: 24 * 60,
    help: 'how long a locked username stays locked (and the window its failures are counted in)',
  }),
  loginRatePerMinute: field({
    kind: 'int',
    flag: 'login-rate-per-minute',
    env: ['BALLAST_LOGIN_RATE_PER_MINUTE'],
    default: 10,
    min: 1,
    max: 10_000,
    help: 'sign-in attempts per minute from one address for one username',
  }),
  apiRatePerMinute: field({
    kind: 'int',
    flag: 'api-rate-per-minute',
    env: ['BALLAST_API_RATE_PER_MINUTE'],
    default: 6_000,
    min: 0,
    max: 10_000_000,
    help: 'API requests per minute per signed-in user (per address when anonymous); 0: no limit',
  }),
  corsOrigins: field({
    kind: 'string',
    flag: 'cors-origins',
    env: ['BALLAST_CORS_ORIGINS'],
    default: '',
    check: (v: string) =>
      v === '' || v.split(',').every((o) => isOrigin(o.trim())) ? null : 'must be comma-separated origins such as https://ops.example.com',
    help: 'origins whose pages may call the API from a browser (comma-separated); empty: CORS off',
  }),
  metricsAccess: field({
    kind: 'enum',
    flag: 'metrics-access',
    env: ['BALLAST_METRICS_ACCESS'],
    default: 'token',
    values: ['token', 'public'] as const,
    help: 'GET /metrics: token (any signed-in caller, e.g. Prometheus with a viewer API token) or public',
  }),
  agentEnrolment: field({
    kind: 'enum',
    flag: 'agent-enrolment',
    env: ['BALLAST_AGENT_ENROLMENT'],
    default: 'required',
    values: ['required', 'open'] as const,
    help: "required: agents must present their cluster's enrolment token; open: any agent may send (demo, tests)",
  }),
  tlsCert: field({
    kind: 'string',
    flag: 'tls-cert',
    env: ['BALLAST_TLS_CERT'],
    default: '',
    help: 'PEM certificate of the gRPC agent listener (with --tls-key); empty: plaintext',
  }),
  tlsKey: field({
    kind: 'string',
    flag: 'tls-key',
    env: ['BALLAST_TLS_KEY'],
    default: '',
    help: 'PEM private key of --tls-cert',
  }),
  tlsClientCa: field({
    kind: 'string',
    flag: 'tls-client-ca',
    env: ['BALLAST_TLS_CLIENT_CA'],
    default: '',
    help: "PEM CA bundle agents' client certificates must chain to (mutual TLS); empty: no client certificate asked",
  }),
};

function isOrigin(v: string): boolean {
  try {
    const u = new URL(v);
    return ['http:', 'https:'].includes(u.protocol) && u.origin === v;
  } catch {
    return false;
  }
}

/** Cross-field rules the per-field checks cannot state; returns the problem naming the field, or null. */
export function accessConfigProblem(c: { tlsCert: string; tlsKey: string; tlsClientCa: string }): string | null {
  if ((c.tlsCert === '') !== (c.tlsKey === '')) return 'tlsCert (--tls-cert) and tlsKey (--tls-key): give both or neither';
  if (c.tlsClientCa !== '' && c.tlsCert === '') return 'tlsClientCa (--tls-client-ca): needs --tls-cert and --tls-key';
  return null;
}
