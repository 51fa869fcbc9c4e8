import type { Decision, DecisionKind, DecisionStatus, FunnelStage } from './decision-types.ts';
import { emptyFunnel, type FunnelCounts, funnelOf } from './funnel.ts';

/** One step of a decision through the funnel, with the decision as it is after the step. */
export interface DecisionEvent {
  decisionId: string;
  kind: DecisionKind;
  /** The stage reached, or `dropped` / `failed`. */
  stage: FunnelStage | 'dropped' | 'failed';
  atMs: number;
  decision: Decision;
}

/**
 * Where the engine records decisions: every stage transition is one event, in order. The
 * engine calls record() synchronously and never awaits it; an implementation backed by a
 * store buffers and writes on its own, and must not throw (a failed write is its own to
 * report). The event's decision is a copy the sink may keep.
 */
export interface DecisionSink {
  record(event: DecisionEvent): void;
}

export interface DecisionQuery {
  kind?: DecisionKind;
  status?: DecisionStatus;
  /** Decisions created at or after this time. */
  sinceMs?: number;
  /** Newest first, at most this many. */
  limit?: number;
}

/**
 * The in-memory decision log: the latest state of every decision and the funnel counts, as
 * the API serves them. Used by tests and the replay; the hub backs the same interface with
 * the metadata store.
 */
export class InMemoryDecisionLog implements DecisionSink {
  private readonly byId = new Map<string, Decision>();
  private eventCount = 0;

  record(event: DecisionEvent): void {
    this.byId.set(event.decisionId, event.decision);
    this.eventCount++;
  }

  get(id: string): Decision | undefined {
    return this.byId.get(id);
  }

  list(query: DecisionQuery = {}): Decision[] {
    const out = [...this.byId.values()].filter(
      (d) =>
        (query.kind === undefined || d.kind === query.kind) &&
        (query.status === undefined || d.status === query.status) &&
        (query.sinceMs === undefined || d.createdAtMs >= query.sinceMs),
    );
    out.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : -1));
    return query.limit === undefined ? out : out.slice(0, query.limit);
  }

  /** Funnel counts over the decisions matching the query (kind, since). */
  funnel(query: Omit<DecisionQuery, 'limit' | 'status'> = {}): FunnelCounts {
    const ds = this.list(query);
    return ds.length === 0 ? emptyFunnel() : funnelOf(ds);
  }

  get events(): number {
    return this.eventCount;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** A sink that keeps nothing (the engine's default). */
export const NULL_SINK: DecisionSink = { record: () => undefined };
