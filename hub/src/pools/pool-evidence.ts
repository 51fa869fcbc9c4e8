import type { PoolObservations } from '../scoring/pool-inputs.ts';
import type { TimeWindow } from '../scoring/scoring-model.ts';

/** What this fleet observed of one pool over a window (the scorer's evidence). */
export type PoolEvidence = Pick<PoolObservations, 'instanceHours' | 'interruptions' | 'rebalanceRecommendations' | 'launchFailuresMs'>;

export const NO_EVIDENCE: PoolEvidence = { instanceHours: 0, interruptions: 0, rebalanceRecommendations: 0, launchFailuresMs: [] };

/**
 * Where the board reads observed interruptions, rebalances, instance-hours and launch
 * failures per pool id (`type|zone|capacity`). Pools absent from the answer have none, and
 * their stability rests on the Spot Advisor prior alone.
 */
export interface PoolEvidenceSource {
  evidence(window: TimeWindow): Promise<ReadonlyMap<string, PoolEvidence>>;
}

/** Pool evidence kept in memory, fed by whoever observes it (the executor, the ingest); tests and the replay use it as is. */
export class RecordedPoolEvidence implements PoolEvidenceSource {
  private readonly events: Array<{ poolId: string; atMs: number; kind: 'interruption' | 'rebalance' | 'launch-failure' }> = [];
  private readonly hours = new Map<string, Array<{ fromMs: number; toMs: number }>>();

  record(poolId: string, kind: 'interruption' | 'rebalance' | 'launch-failure', atMs: number): void {
    this.events.push({ poolId, atMs, kind });
  }

  /** An instance ran in the pool from `fromMs` to `toMs`. */
  ran(poolId: string, fromMs: number, toMs: number): void {
    const list = this.hours.get(poolId) ?? [];
    list.push({ fromMs, toMs });
    this.hours.set(poolId, list);
  }

  async evidence(window: TimeWindow): Promise<ReadonlyMap<string, PoolEvidence>> {
    const out = new Map<string, PoolEvidence>();
    const of = (id: string) => {
      let e = out.get(id);
      if (!e) {
        e = { instanceHours: 0, interruptions: 0, rebalanceRecommendations: 0, launchFailuresMs: [] };
        out.set(id, e);
      }
      return e as { instanceHours: number; interruptions: number; rebalanceRecommendations: number; launchFailuresMs: number[] };
    };
    for (const [id, spans] of this.hours) {
      for (const s of spans) {
        const overlap = Math.min(s.toMs, window.toMs) - Math.max(s.fromMs, window.fromMs);
        if (overlap > 0) of(id).instanceHours += overlap / 3_600_000;
      }
    }
    for (const ev of this.events) {
      if (ev.atMs < window.fromMs || ev.atMs > window.toMs) continue;
      const e = of(ev.poolId);
      if (ev.kind === 'interruption') e.interruptions++;
      else if (ev.kind === 'rebalance') e.rebalanceRecommendations++;
      else e.launchFailuresMs.push(ev.atMs);
    }
    return out;
  }
}
