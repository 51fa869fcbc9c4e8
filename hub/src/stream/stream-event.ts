/** What the live stream carries: one kind per thing a console or program follows as it happens. */
export const STREAM_KINDS = [
  'interruption',
  'rebalance',
  'switch-progress',
  'job-progress',
  'decision',
  'agent-connected',
  'agent-disconnected',
] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/** An event as a producer hands it to the bus. */
export interface StreamEventInput {
  kind: StreamKind;
  /** The tenant (client id) it belongs to: subscribers bound to another tenant never see it. */
  tenant: string;
  cluster?: string | null;
  node?: string | null;
  /** When it happened (epoch ms, the producer's clock). */
  at: number;
  data: Record<string, unknown>;
}

/** An event as the bus numbered it: `id` grows by one per publish within one bus. */
export interface StreamEvent {
  id: number;
  kind: StreamKind;
  tenant: string;
  cluster: string | null;
  node: string | null;
  at: number;
  data: Record<string, unknown>;
}

/** Who may see what and which events they asked for. */
export interface StreamFilter {
  /** null: every tenant (hub staff). */
  tenant: string | null;
  /** Empty or absent: every kind. */
  kinds?: ReadonlySet<StreamKind>;
  cluster?: string;
}

export function matches(filter: StreamFilter, e: StreamEvent): boolean {
  if (filter.tenant !== null && e.tenant !== filter.tenant) return false;
  if (filter.kinds && filter.kinds.size > 0 && !filter.kinds.has(e.kind)) return false;
  if (filter.cluster !== undefined && e.cluster !== filter.cluster) return false;
  return true;
}
