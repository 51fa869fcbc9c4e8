import { randomBytes } from 'node:crypto';
import type { Clock } from '@ballast/common';

/** AWS's limits for `X-aws-ec2-metadata-token-ttl-seconds`: 1 second to 6 hours. */
export const MIN_TOKEN_TTL_SECONDS = 1;
export const MAX_TOKEN_TTL_SECONDS = 21_600;

/** Parses the TTL header; null when missing, not a plain integer, or out of range (AWS answers 400). */
export function parseTtlSeconds(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,6}$/.test(header.trim())) return null;
  const ttl = Number(header.trim());
  return ttl >= MIN_TOKEN_TTL_SECONDS && ttl <= MAX_TOKEN_TTL_SECONDS ? ttl : null;
}

/**
 * IMDSv2 session tokens of one instance. Expiry follows the injected clock, not the wall
 * clock, so a test can age a token by advancing a ManualClock and a fast sim ages it in
 * virtual time like everything else.
 */
export class TokenStore {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  issue(ttlSeconds: number): string {
    this.purge();
    // Opaque and unguessable, like AWS's; agents must not read meaning into it.
    const token = randomBytes(40).toString('base64');
    this.expiries.set(token, this.clock.now() + ttlSeconds * 1000);
    return token;
  }

  isValid(token: string): boolean {
    const expiresAt = this.expiries.get(token);
    return expiresAt !== undefined && this.clock.now() < expiresAt;
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Drops expired tokens so a long-running sim with chatty agents does not grow without bound. */
  private purge(): void {
    const now = this.clock.now();
    for (const [token, expiresAt] of this.expiries) if (now >= expiresAt) this.expiries.delete(token);
  }
}
