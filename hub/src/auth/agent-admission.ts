import { ProtocolError } from '../ingest/protocol-error.ts';
import type { SqlSession } from '../state/metadata-store.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import type { VerifyEnrolment } from './enrolment.ts';

export type EnrolmentMode = 'required' | 'open';

/** What an agent says of itself in its Hello (gRPC) or its KV hello (NATS). */
export interface AgentClaim {
  tenant: string;
  cluster: string;
  node: string;
  enrolmentToken: string;
}

/**
 * Decides whether an agent stream may send, and binds it to a tenant. Called once per
 * stream, before anything of the agent is stored.
 * @returns the tenant the stream belongs to.
 * @throws ProtocolError UNAUTHENTICATED (no token, or one unknown, revoked or expired) or
 *   PERMISSION_DENIED (a valid token of another cluster or tenant); each refusal is audited.
 */
export type AdmitAgent = (claim: AgentClaim, peer: string) => Promise<{ tenant: string }>;

export interface AdmissionDeps {
  mode: EnrolmentMode;
  verify: VerifyEnrolment;
  /** Where refusals are recorded (the metadata store). */
  audit: SqlSession;
  now: () => number;
  defaultTenant: string;
}

/**
 * `required`: every agent presents its cluster's enrolment token; the token, not the agent,
 * names the tenant. `open` (demo, tests): an agent without a token is taken at its word
 * (tenant as it says, else the default); one that presents a token is still held to it, so
 * a mistyped token is noticed rather than ignored.
 */
export function agentAdmission(d: AdmissionDeps): AdmitAgent {
  const refuse = async (claim: AgentClaim, peer: string, code: ProtocolError['code'], reason: string, clientId: string | null) => {
    await new AuditRepository(d.audit).append(
      {
        clientId,
        actor: `agent:${claim.cluster}/${claim.node}`.slice(0, 200),
        sourceIp: peerIp(peer),
        action: 'agent.connect',
        target: `cluster:${claim.cluster}`,
        result: 'denied',
        details: { reason, node: claim.node, tenantClaimed: claim.tenant || null, tokenPrefix: claim.enrolmentToken.slice(0, 11) || null },
      },
      d.now(),
    );
    return new ProtocolError(code, reason);
  };
  return async (claim, peer) => {
    if (claim.enrolmentToken === '') {
      if (d.mode === 'open') return { tenant: claim.tenant || d.defaultTenant };
      throw await refuse(
        claim,
        peer,
        'UNAUTHENTICATED',
        'this hub requires an enrolment token (agent flag --enrolment-token / BALLAST_ENROLMENT_TOKEN)',
        null,
      );
    }
    const found = await d.verify(claim.enrolmentToken);
    if (!found) throw await refuse(claim, peer, 'UNAUTHENTICATED', 'the enrolment token is unknown, revoked or expired', null);
    if (found.clusterId !== claim.cluster) {
      throw await refuse(
        claim,
        peer,
        'PERMISSION_DENIED',
        `the enrolment token is for another cluster than "${claim.cluster}"`,
        found.clientId,
      );
    }
    if (claim.tenant !== '' && claim.tenant !== found.clientId) {
      throw await refuse(
        claim,
        peer,
        'PERMISSION_DENIED',
        `the enrolment token is for another tenant than "${claim.tenant}"`,
        found.clientId,
      );
    }
    return { tenant: found.clientId };
  };
}

/** A gRPC peer (`ipv4:1.2.3.4:5`, `ipv6:[::1]:5`) as an inet literal, or null (NATS peers have none). */
function peerIp(peer: string): string | null {
  const m = /^ipv4:([\d.]+):\d+$/.exec(peer) ?? /^ipv6:\[([0-9a-fA-F:.]+)\]:\d+$/.exec(peer);
  return m?.[1] ?? null;
}
