import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost: N = 2^logN, block size r, parallelism p. Memory is 128·N·r bytes. */
export interface ScryptCost {
  logN: number;
  r: number;
  p: number;
}

/**
 * OWASP's scrypt setting of equal strength with 32 MiB per hash instead of 128 MiB
 * (N=2^15, r=8, p=3): about 0.15 s of CPU per p on one core of a small VM.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 15, r: 8, p: 3 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Long enough for any passphrase; bounds the work an anonymous caller can ask of scrypt. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 12;

const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function derive(password: string, salt: Buffer, cost: ScryptCost, bytes: number): Promise<Buffer> {
  const N = 2 ** cost.logN;
  return new Promise((resolve, reject) =>
    // maxmem: Node's 32 MiB default is just under what N=2^15, r=8 needs.
    scrypt(password.normalize('NFC'), salt, bytes, { N, r: cost.r, p: cost.p, maxmem: 2 * 128 * N * cost.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (base64): the cost travels with the hash, so old
 * hashes keep verifying after the cost is raised, and {@link needsRehash} says when to
 * upgrade one. Passwords are NFC-normalised so the same typed text always matches.
 */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost, KEY_BYTES);
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `stored`; false (never a throw) for a stored value this code did not write. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.cost, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** Whether a hash was made with a weaker cost than `cost`, so a successful sign-in should store a new one. */
export function needsRehash(stored: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const memory = (c: ScryptCost) => 2 ** c.logN * c.r;
  return memory(parsed.cost) < memory(cost) || memory(parsed.cost) * parsed.cost.p < memory(cost) * cost.p;
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const m = FORMAT.exec(stored);
  if (!m) return null;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 1 || logN > 22 || r < 1 || p < 1) return null;
  const key = Buffer.from(m[5] as string, 'base64');
  return key.length >= 16 ? { cost: { logN, r, p }, salt: Buffer.from(m[4] as string, 'base64'), key } : null;
}

/**
 * A hash of a random password, verified against when the username is unknown, so that an
 * unknown user costs the same time as a wrong password and timing does not tell them apart.
 */
export function decoyHash(cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  return hashPassword(randomBytes(18).toString('base64url'), cost);
}
