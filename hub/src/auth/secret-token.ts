import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Marks a secret's kind, so a leaked one is recognisable (secret scanners, logs) and the wrong kind is refused early. */
export const TOKEN_PREFIX = { api: 'blst_', enrolment: 'blse_', session: '' } as const;
export type SecretKind = keyof typeof TOKEN_PREFIX;

/** How much of a token lists show: the kind prefix and 6 random characters (36 of its 256 bits). */
const SHOWN = 6;

export interface NewSecret {
  /** Shown once to its owner, never stored. */
  token: string;
  /** SHA-256 (hex), what the database keeps and looks up. */
  hash: string;
  /** The first characters, to recognise the token in a list. */
  prefix: string;
}

/**
 * 256 random bits. A plain SHA-256 is enough to store them: unlike passwords they cannot
 * be guessed, so a slow hash would only slow down every request.
 */
export function newSecret(kind: SecretKind): NewSecret {
  const token = `${TOKEN_PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSecret(token), prefix: token.slice(0, TOKEN_PREFIX[kind].length + SHOWN) };
}

export function hashSecret(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `token` has the shape of a secret of this kind (cheap, before any database read). */
export function looksLike(kind: SecretKind, token: string): boolean {
  const p = TOKEN_PREFIX[kind];
  return token.length === p.length + 43 && token.startsWith(p) && /^[A-Za-z0-9_-]+$/.test(token.slice(p.length));
}

/**
 * The anti-CSRF token of a session: derived from the session secret, so the server keeps
 * no extra state and a page that cannot read the httpOnly session cookie cannot compute it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`ballast-csrf\0${sessionToken}`, 'utf8').digest('base64url');
}

/** Constant-time string comparison (lengths may differ). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
