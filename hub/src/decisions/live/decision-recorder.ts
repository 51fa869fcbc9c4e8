import { randomUUID } from 'node:crypto';
import type { DecisionRepository } from '../../state/repositories/decision-repository.ts';
import type { DecisionStage, DecisionKind as StoredKind } from '../../state/repositories/decision-types.ts';
import type { DecisionEvent, DecisionSink } from '../decision-sink.ts';
import type { Decision, DecisionKind, FunnelStage, PoolRef } from '../decision-types.ts';

const STORED_KIND: Record<DecisionKind, StoredKind> = {
  provision: 'provision',
  replace: 'replace',
  fallback: 'fallback-on-demand',
  revert: 'revert-to-spot',
  consolidate: 'consolidate',
};

const ORDER: readonly FunnelStage[] = ['candidate', 'feasible', 'scored', 'solved', 'validated', 'approved', 'executed', 'verified'];

export interface RecorderScope {
  clientId: string;
  clusterId: string;
  /** The scoring model's stored id; null for the built-in default (a shadow side always has one). */
  modelId: string | null;
  shadow: boolean;
  /** Approved decisions are not handed to an executor: they are recorded as executed dry runs. */
  dryRun: boolean;
}

/**
 * Buffers the engine's funnel events (the engine records synchronously) and writes them to
 * the DecisionRepository in flush(): one insert per new decision at the furthest stage it
 * reached, later stages as advances, and the end (dropped with its reason code, failed, a
 * dry run's execution). A shadow decision stops at `validated` (the schema forbids more).
 * Engine ids map to stored uuids; events of a decision already ended are ignored.
 */
export class DecisionRecorder implements DecisionSink {
  private queue: DecisionEvent[] = [];
  private readonly stored = new Map<string, { uuid: string; stage: FunnelStage; ended: boolean }>();

  constructor(
    private readonly repo: DecisionRepository,
    private scope: RecorderScope,
    /** The instance behind a node name, as the loop last saw it. */
    private readonly instanceIdOf: (node: string) => string | null = () => null,
  ) {}

  /** Changes the model id (a promotion); decisions already stored keep theirs. */
  setModel(modelId: string | null): void {
    this.scope = { ...this.scope, modelId };
  }

  record(event: DecisionEvent): void {
    this.queue.push(event);
  }

  /** The stored id of an engine decision, once flushed. */
  storedId(engineId: string): string | undefined {
    return this.stored.get(engineId)?.uuid;
  }

  /** Writes what the engine recorded since the last flush, in order; a failed write rejects (the rest stays queued). */
  async flush(nowMs: number): Promise<void> {
    const latest = new Map<string, Decision>();
    for (const e of this.queue) latest.set(e.decisionId, e.decision);
    const order = [...new Set(this.queue.map((e) => e.decisionId))];
    for (const id of order) {
      await this.write(latest.get(id) as Decision, nowMs);
      this.queue = this.queue.filter((e) => e.decisionId !== id);
    }
  }

  private async write(d: Decision, nowMs: number): Promise<void> {
    const { clientId } = this.scope;
    const stage = this.cap(d.stage);
    let s = this.stored.get(d.id);
    if (s?.ended) return;
    if (!s) {
      const uuid = randomUUID();
      const node = d.nodeIds[0];
      await this.repo.insert(
        {
          id: uuid,
          clientId,
          clusterId: this.scope.clusterId,
          kind: STORED_KIND[d.kind],
          stage: stage as DecisionStage,
          nodeName: d.nodeIds[0] ?? null,
          instanceId: node === undefined ? null : this.instanceIdOf(node),
          fromPool: d.from ? stored(d.from) : null,
          toPool: d.launch ? stored(d.launch) : null,
          inputs: {
            engineId: d.id,
            reason: d.reason,
            urgent: d.urgent,
            nodeIds: d.nodeIds,
            launch: d.launch,
            premise: d.premise,
            expectedSavings: d.expectedSavings,
            seen: d.inputs,
            ...(d.dropped ? { dropped: d.dropped } : {}),
          },
          scoreBreakdown: d.scores,
          expectedSavingsPerHour: d.stage === 'candidate' || d.stage === 'feasible' ? null : round6(d.expectedSavings.perHourUsd),
          modelId: this.scope.modelId,
          fromShadow: this.scope.shadow,
          dryRun: this.scope.dryRun && !this.scope.shadow,
        },
        nowMs,
      );
      s = { uuid, stage, ended: false };
      this.stored.set(d.id, s);
    } else if (ORDER.indexOf(stage) > ORDER.indexOf(s.stage)) {
      await this.repo.advance(
        clientId,
        s.uuid,
        { stage: stage as DecisionStage, expectedSavingsPerHour: round6(d.expectedSavings.perHourUsd) },
        nowMs,
      );
      s.stage = stage;
    }
    if (d.status === 'dropped' && d.dropped) {
      await this.repo.finish(
        clientId,
        s.uuid,
        { outcome: 'dropped', reason: d.dropped.detail || d.dropped.reason, dropReason: d.dropped.reason },
        nowMs,
      );
      s.ended = true;
    } else if (d.status === 'failed' && !this.scope.shadow) {
      await this.repo.finish(clientId, s.uuid, { outcome: 'failed', reason: d.failure?.reason ?? 'failed' }, nowMs);
      s.ended = true;
    } else if (!this.scope.shadow && (s.stage === 'executed' || s.stage === 'verified') && (this.scope.dryRun || d.status === 'verified')) {
      await this.repo.finish(clientId, s.uuid, { outcome: 'executed' }, nowMs);
      s.ended = true;
    }
  }

  /** A shadow decision is never approved in the store: it ends its record at validated. */
  private cap(stage: FunnelStage): FunnelStage {
    return this.scope.shadow && ORDER.indexOf(stage) > ORDER.indexOf('validated') ? 'validated' : stage;
  }
}

function stored(p: PoolRef): { instanceType: string; availabilityZone: string; capacityType: PoolRef['capacityType'] } {
  return { instanceType: p.instanceType, availabilityZone: p.zone, capacityType: p.capacityType };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
