import type { SqlSession } from '../state/metadata-store.ts';
import { DecisionRepository } from '../state/repositories/decision-repository.ts';
import type { DecisionFinish, DecisionRecord, NewDecision, StageAdvance } from '../state/repositories/decision-types.ts';
import type { EventBus } from './event-bus.ts';
import { decisionToStream } from './stream-bridges.ts';

/**
 * The decisions table, publishing every decision to the live stream as it is recorded,
 * moves a stage or ends (after the write: a subscriber that refetches finds it stored).
 */
export class StreamingDecisionRepository extends DecisionRepository {
  constructor(
    db: SqlSession,
    private readonly bus: EventBus,
  ) {
    super(db);
  }

  override async insert(d: NewDecision, now: number): Promise<DecisionRecord> {
    return this.published(await super.insert(d, now));
  }

  override async advance(clientId: string, id: string, a: StageAdvance, now: number): Promise<DecisionRecord> {
    return this.published(await super.advance(clientId, id, a, now));
  }

  override async finish(clientId: string, id: string, f: DecisionFinish, now: number): Promise<DecisionRecord> {
    return this.published(await super.finish(clientId, id, f, now));
  }

  private published(d: DecisionRecord): DecisionRecord {
    this.bus.publish(decisionToStream(d));
    return d;
  }
}
