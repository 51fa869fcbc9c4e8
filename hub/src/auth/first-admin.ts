import { randomBytes } from 'node:crypto';
import type { SqlSession } from '../state/metadata-store.ts';
import { MetadataStoreError } from '../state/metadata-store-error.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import { USERNAME_PATTERN, UserRepository } from '../state/repositories/user-repository.ts';
import { DEFAULT_SCRYPT_COST, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type ScryptCost } from './password-hash.ts';

export interface FirstAdminOptions {
  /** BALLAST_ADMIN_USER; default `admin`. */
  username?: string;
  /** BALLAST_ADMIN_PASSWORD; empty or absent: a random one is generated. */
  password?: string;
  scrypt?: ScryptCost;
}

export type FirstAdmin =
  | { created: false }
  | {
      created: true;
      username: string;
      /** The generated password, when none was configured: print it once, it is stored nowhere else. */
      generatedPassword: string | null;
      /** What to print at start-up (it holds the generated password, if any: send it to the terminal, not to a log shipper). */
      message: string;
    };

/**
 * Makes the hub's first admin (hub-wide) when there is no user at all; otherwise does
 * nothing, so a configured password is only ever the initial one and changing it later
 * through the API sticks across restarts. Safe when two hubs start at once: the one whose
 * insert loses finds the user made and reports `created: false`.
 * @throws Error naming BALLAST_ADMIN_USER or BALLAST_ADMIN_PASSWORD when one is unusable.
 */
export async function ensureFirstAdmin(store: SqlSession, options: FirstAdminOptions, now: number): Promise<FirstAdmin> {
  const username = (options.username || 'admin').toLowerCase();
  if (!new RegExp(USERNAME_PATTERN).test(username)) {
    throw new Error(`BALLAST_ADMIN_USER "${username}" is not a username: lower-case letters, digits and . _ @ -, at most 64`);
  }
  const given = options.password || null;
  if (given !== null && (given.length < MIN_PASSWORD_LENGTH || given.length > MAX_PASSWORD_LENGTH)) {
    throw new Error(`BALLAST_ADMIN_PASSWORD must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`);
  }
  if ((await new UserRepository(store).count()) > 0) return { created: false };
  const password = given ?? randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password, options.scrypt ?? DEFAULT_SCRYPT_COST);
  try {
    await store.transaction(async (tx) => {
      const u = await new UserRepository(tx).create({ username, name: 'Administrator', role: 'admin', clientId: null, passwordHash }, now);
      await new AuditRepository(tx).append(
        {
          actor: 'hub',
          action: 'user.create',
          target: `user:${u.id}`,
          result: 'success',
          details: { username, role: 'admin', firstAdmin: true },
        },
        now,
      );
    });
  } catch (err) {
    if (err instanceof MetadataStoreError && err.code === 'conflict') return { created: false };
    throw err;
  }
  return given === null
    ? {
        created: true,
        username,
        generatedPassword: password,
        message: `created the first admin "${username}" with the generated password ${password} — shown only now: sign in and change it (PUT /api/v1/me)`,
      }
    : {
        created: true,
        username,
        generatedPassword: null,
        message: `created the first admin "${username}" with the password from BALLAST_ADMIN_PASSWORD`,
      };
}
