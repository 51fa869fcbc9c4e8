/**
 * Names on the NATS side of the agent↔hub protocol, shared by both ends (like the protobuf
 * messages, they are part of the wire contract).
 *
 * - Stream `BALLAST` (created by the hub): subjects `ballast.<tenant>.<cluster>.<node>.data`,
 *   each message a binary AgentMessage (a batch or an event) with the agent's identity in
 *   the `Ballast-*` headers and `Nats-Msg-Id` = `<tenant>:<cluster>:<node>:<epoch>:<seq>`.
 * - KV `ballast_series`: key `<tenant>.<cluster>.<node>.<epoch>.<chunk>`, value a
 *   SeriesDictionary holding series ids chunk*SERIES_CHUNK+1 .. (chunk+1)*SERIES_CHUNK.
 * - KV `ballast_agents`: key `<tenant>.<cluster>.<node>`, value the agent's Hello.
 * - Commands, hub → agent: core subject `ballast.<tenant>.<cluster>.<node>.cmd` (HubMessage).
 */
export const NATS_STREAM = 'BALLAST';
export const NATS_DATA_SUBJECTS = 'ballast.*.*.*.data';
export const SERIES_BUCKET = 'ballast_series';
export const AGENTS_BUCKET = 'ballast_agents';
/** Series per KV value: bounded well under nats-server's 1 MiB max_payload, and a new series rewrites one chunk, not all. */
export const SERIES_CHUNK = 1024;

export const HEADER = {
  tenant: 'Ballast-Tenant',
  cluster: 'Ballast-Cluster',
  node: 'Ballast-Node',
  epoch: 'Ballast-Epoch',
  sequence: 'Ballast-Sequence',
} as const;

const SAFE = /^[A-Za-z0-9_-]$/;

/**
 * One subject token / KV key token for any string, injectively: [A-Za-z0-9_-] stay, every
 * other UTF-8 byte becomes `=xx`, the empty string is `=`. Node names contain dots
 * (ip-10-0-0-1.ec2.internal), and two names must never share a subject or key.
 */
export function token(value: string): string {
  if (value === '') return '=';
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE.test(ch) ? ch : `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export interface NatsAgentId {
  /** As the agent names it; empty means the hub's default tenant. */
  tenant: string;
  cluster: string;
  node: string;
}

function base(id: NatsAgentId): string {
  return `ballast.${token(id.tenant)}.${token(id.cluster)}.${token(id.node)}`;
}

export const dataSubject = (id: NatsAgentId): string => `${base(id)}.data`;
export const commandSubject = (id: NatsAgentId): string => `${base(id)}.cmd`;
export const agentKey = (id: NatsAgentId): string => `${token(id.tenant)}.${token(id.cluster)}.${token(id.node)}`;
export const seriesKey = (id: NatsAgentId, epoch: bigint, chunk: number): string => `${agentKey(id)}.${epoch}.${chunk}`;
/** Publish dedupe id of a batch; the stream is shared by every cluster, so the full identity is in it. */
export const batchMsgId = (id: NatsAgentId, epoch: bigint, sequence: bigint): string =>
  `${token(id.tenant)}:${token(id.cluster)}:${token(id.node)}:${epoch}:${sequence}`;
export const eventMsgId = (id: NatsAgentId, epoch: bigint, eventId: string): string =>
  `${token(id.tenant)}:${token(id.cluster)}:${token(id.node)}:${epoch}:e:${eventId}`;

/** Subject tokens of `ballast.<tenant>.<cluster>.<node>.data`, or null for any other subject. */
export function parseDataSubject(subject: string): { tenant: string; cluster: string; node: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 5 || parts[0] !== 'ballast' || parts[4] !== 'data') return null;
  return { tenant: parts[1] as string, cluster: parts[2] as string, node: parts[3] as string };
}
