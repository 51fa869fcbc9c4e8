import type { SqlSession } from '../state/metadata-store.ts';
import { EnrolmentTokenRepository } from '../state/repositories/enrolment-token-repository.ts';
import { hashSecret, looksLike } from './secret-token.ts';

export type VerifyEnrolment = (token: string) => Promise<{ clientId: string; clusterId: string } | null>;

/**
 * What the agent gateway calls with the token an agent presents: the client and cluster
 * it enrols into, or null for a token that is unknown, revoked or expired (the gateway
 * refuses the agent without saying which). Stamps the token's last use.
 */
export function enrolmentVerifier(store: SqlSession, now: () => number): VerifyEnrolment {
  const tokens = new EnrolmentTokenRepository(store);
  return async (token) => {
    if (!looksLike('enrolment', token)) return null;
    const found = await tokens.use(hashSecret(token), now());
    return found ? { clientId: found.clientId, clusterId: found.clusterId } : null;
  };
}
