import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { type DecisionRow, toDecision } from './decision-row.ts';
import {
  DECISION_OUTCOMES,
  DECISION_STAGES,
  type DecisionFilter,
  type DecisionFinish,
  type DecisionKind,
  type DecisionRecord,
  type DecisionStage,
  type FunnelCounts,
  type FunnelQuery,
  type ModelComparison,
  type ModelSideSummary,
  type NewDecision,
  type StageAdvance,
} from './decision-types.ts';
import { decodeCursor, type Page, pageSize, toPage } from './page.ts';
import { at, Conditions, isUuid, json } from './sql-values.ts';

export * from './decision-types.ts';

/** The stage order in SQL, from the one TypeScript list (a constant, not input). */
const STAGE_ORDER = `ARRAY[${DECISION_STAGES.map((s) => `'${s}'`).join(', ')}]::text[]`;
const rank = (expr: string) => `array_position(${STAGE_ORDER}, ${expr})`;
/** The funnel's drop reason codes: lower-case words joined by `-` (the schema checks the same). */
const DROP_REASON = /^[a-z][a-z-]{0,62}$/;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Decisions through the funnel. Every read and write names the tenant, so one tenant's id
 * never reaches another's row. Stages only move forward and a finished decision only
 * moves from executed to verified; a refused change is `invalid_state`, an unknown id
 * (or another tenant's) `not_found`.
 */
export class DecisionRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `constraint` for an unknown cluster or model, `conflict` for a reused id. */
  async insert(d: NewDecision, now: number): Promise<DecisionRecord> {
    const time = at(now, 'now');
    const { rows } = await this.db.query<DecisionRow>(
      `INSERT INTO decisions (id, client_id, cluster_id, kind, stage, node_name, instance_id,
         from_instance_type, from_availability_zone, from_capacity_type, to_instance_type, to_availability_zone, to_capacity_type,
         inputs, score_breakdown, expected_savings_per_hour, model_id, from_shadow, dry_run, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15::jsonb, $16, $17, $18, $20, $19, $19)
       RETURNING *`,
      [
        d.id ?? randomUUID(),
        d.clientId,
        d.clusterId,
        d.kind,
        d.stage ?? 'candidate',
        d.nodeName ?? null,
        d.instanceId ?? null,
        d.fromPool?.instanceType ?? null,
        d.fromPool?.availabilityZone ?? null,
        d.fromPool?.capacityType ?? null,
        d.toPool?.instanceType ?? null,
        d.toPool?.availabilityZone ?? null,
        d.toPool?.capacityType ?? null,
        json(d.inputs ?? {}),
        d.scoreBreakdown === undefined || d.scoreBreakdown === null ? null : json(d.scoreBreakdown),
        d.expectedSavingsPerHour ?? null,
        d.modelId ?? null,
        d.fromShadow ?? false,
        time,
        d.dryRun ?? false,
      ],
    );
    return toDecision(rows[0] as DecisionRow);
  }

  async get(clientId: string, id: string): Promise<DecisionRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<DecisionRow>('SELECT * FROM decisions WHERE client_id = $1 AND id = $2', [clientId, id]);
    return rows[0] ? toDecision(rows[0]) : null;
  }

  /** Moves to a later stage. @throws MetadataStoreError `not_found`, `invalid_state` (not later, or finished). */
  async advance(clientId: string, id: string, a: StageAdvance, now: number): Promise<DecisionRecord> {
    const { rows } = await this.db.query<DecisionRow>(
      `UPDATE decisions SET stage = $3,
         to_instance_type = coalesce($4, to_instance_type),
         to_availability_zone = coalesce($5, to_availability_zone),
         to_capacity_type = coalesce($6, to_capacity_type),
         score_breakdown = coalesce($7::jsonb, score_breakdown),
         expected_savings_per_hour = coalesce($8::numeric, expected_savings_per_hour),
         model_id = coalesce($9::uuid, model_id),
         from_shadow = coalesce($10::boolean, from_shadow),
         updated_at = $11
       WHERE client_id = $1 AND id = $2 AND ${rank('stage')} < ${rank('$3::text')}
         AND (outcome = 'pending' OR (outcome = 'executed' AND $3 = 'verified'))
       RETURNING *`,
      [
        clientId,
        isUuid(id) ? id : null,
        a.stage,
        a.toPool?.instanceType ?? null,
        a.toPool?.availabilityZone ?? null,
        a.toPool?.capacityType ?? null,
        a.scoreBreakdown === undefined || a.scoreBreakdown === null ? null : json(a.scoreBreakdown),
        a.expectedSavingsPerHour ?? null,
        a.modelId ?? null,
        a.fromShadow ?? null,
        at(now, 'now'),
      ],
    );
    if (rows[0]) return toDecision(rows[0]);
    throw await this.refusal(clientId, id, (d) => `decision ${id} is at stage ${d.stage} (${d.outcome}); it cannot move to ${a.stage}`);
  }

  /**
   * Ends a pending decision. `executed` needs the executed stage reached; dropped and
   * failed need a reason. @throws MetadataStoreError `invalid_input`, `not_found`, `invalid_state`.
   */
  async finish(clientId: string, id: string, f: DecisionFinish, now: number): Promise<DecisionRecord> {
    if (f.outcome !== 'executed' && !f.reason) throw new MetadataStoreError('invalid_input', `a ${f.outcome} decision needs a reason`);
    if (f.dropReason !== undefined && (f.outcome !== 'dropped' || !DROP_REASON.test(f.dropReason))) {
      throw new MetadataStoreError(
        'invalid_input',
        `dropReason ${JSON.stringify(f.dropReason)} needs outcome dropped and a code like price-changed`,
      );
    }
    const { rows } = await this.db.query<DecisionRow>(
      `UPDATE decisions SET outcome = $3, outcome_reason = $4, drop_reason = $6, finished_at = $5, updated_at = $5
       WHERE client_id = $1 AND id = $2 AND outcome = 'pending' AND ($3 <> 'executed' OR stage IN ('executed', 'verified'))
       RETURNING *`,
      [clientId, isUuid(id) ? id : null, f.outcome, f.reason ?? null, at(now, 'now'), f.dropReason ?? null],
    );
    if (rows[0]) return toDecision(rows[0]);
    throw await this.refusal(clientId, id, (d) =>
      d.outcome !== 'pending'
        ? `decision ${id} already ended ${d.outcome}`
        : `decision ${id} has not reached the executed stage (it is ${d.stage})`,
    );
  }

  /** Sets the USD saved so far by an executed decision. @throws MetadataStoreError `not_found`, `invalid_state`. */
  async recordRealizedSavings(clientId: string, id: string, usd: number, now: number): Promise<DecisionRecord> {
    const { rows } = await this.db.query<DecisionRow>(
      `UPDATE decisions SET realized_savings = $3, updated_at = $4
       WHERE client_id = $1 AND id = $2 AND outcome = 'executed' RETURNING *`,
      [clientId, isUuid(id) ? id : null, usd, at(now, 'now')],
    );
    if (rows[0]) return toDecision(rows[0]);
    throw await this.refusal(clientId, id, (d) => `decision ${id} is ${d.outcome}, not executed: it has no realized savings`);
  }

  /** Newest first (created_at, then id); see page.ts for the cursor. */
  async list(filter: DecisionFilter): Promise<Page<DecisionRecord>> {
    const limit = pageSize(filter.limit);
    const where = new Conditions();
    if (filter.clientId !== null) where.add('client_id = ?', filter.clientId);
    if (filter.clusterId !== undefined) where.add('cluster_id = ?', filter.clusterId);
    if (filter.kind !== undefined) where.add('kind = ?', filter.kind);
    if (filter.outcome !== undefined) where.add('outcome = ?', filter.outcome);
    if (filter.shadow !== undefined) where.add('from_shadow = ?', filter.shadow);
    if (filter.from !== undefined) where.add('created_at >= ?', at(filter.from, 'from'));
    if (filter.to !== undefined) where.add('created_at < ?', at(filter.to, 'to'));
    if (filter.cursor !== undefined) {
      const [t, id] = decodeCursor(filter.cursor, ['number', 'string']) as [number, string];
      where.add('(created_at, id) < (?, ?::uuid)', at(t, 'cursor'), id);
    }
    const { rows } = await this.db.query<DecisionRow>(
      `SELECT * FROM decisions ${where.where()} ORDER BY created_at DESC, id DESC LIMIT ${where.bind(limit + 1)}`,
      where.params,
    );
    return toPage(rows, limit, toDecision, (r) => [r.created_at.getTime(), r.id]);
  }

  /** How many decisions created in the window reached each stage, and how they ended. */
  async funnel(q: FunnelQuery): Promise<FunnelCounts> {
    const where = new Conditions();
    if (q.clientId !== null) where.add('client_id = ?', q.clientId);
    if (q.clusterId !== undefined) where.add('cluster_id = ?', q.clusterId);
    if (q.shadow !== undefined) where.add('from_shadow = ?', q.shadow);
    where.add('created_at >= ?', at(q.from, 'from')).add('created_at < ?', at(q.to, 'to'));
    const { rows } = await this.db.query<{
      stage: DecisionStage;
      outcome: (typeof DECISION_OUTCOMES)[number];
      drop_reason: string | null;
      dry_run: boolean;
      n: number;
    }>(
      `SELECT stage, outcome, drop_reason, dry_run, count(*)::int AS n FROM decisions ${where.where()}
       GROUP BY stage, outcome, drop_reason, dry_run`,
      where.params,
    );
    const outcomes = Object.fromEntries(DECISION_OUTCOMES.map((o) => [o, 0])) as FunnelCounts['outcomes'];
    const stages = DECISION_STAGES.map((stage) => ({ stage, reached: 0, dropped: 0 }));
    const dropReasons: FunnelCounts['dropReasons'] = {};
    let dryRun = 0;
    for (const r of rows) {
      outcomes[r.outcome] += r.n;
      const reachedUpTo = DECISION_STAGES.indexOf(r.stage);
      for (let i = 0; i <= reachedUpTo; i++) (stages[i] as (typeof stages)[number]).reached += r.n;
      if (r.outcome === 'dropped') {
        (stages[reachedUpTo] as (typeof stages)[number]).dropped += r.n;
        const at = dropReasons[r.stage] ?? {};
        const reason = r.drop_reason ?? 'unspecified';
        at[reason] = (at[reason] ?? 0) + r.n;
        dropReasons[r.stage] = at;
      }
      if (r.outcome === 'executed' && r.dry_run) dryRun += r.n;
    }
    return { stages, outcomes, dropReasons, dryRun, total: rows.reduce((sum, r) => sum + r.n, 0) };
  }

  /**
   * The active model's decisions beside the shadow model's, created in the window: how many
   * each proposed and would have carried out (reached validated, not dropped), by kind, and
   * the expected savings and interruption risk avoided of those. The risk part is read from
   * `inputs.expectedSavings.riskPerHourUsd`, where the decision loop keeps it.
   */
  async compareModels(q: Omit<FunnelQuery, 'shadow'>): Promise<ModelComparison> {
    const where = new Conditions();
    if (q.clientId !== null) where.add('client_id = ?', q.clientId);
    if (q.clusterId !== undefined) where.add('cluster_id = ?', q.clusterId);
    where.add('created_at >= ?', at(q.from, 'from')).add('created_at < ?', at(q.to, 'to'));
    const passed = `${rank('stage')} >= ${rank("'validated'")} AND outcome <> 'dropped'`;
    const { rows } = await this.db.query<{
      from_shadow: boolean;
      kind: DecisionKind;
      model_id: string | null;
      n: number;
      validated: number;
      dropped: number;
      savings: string | null;
      risk: string | null;
    }>(
      `SELECT from_shadow, kind, model_id::text AS model_id, count(*)::int AS n,
         (count(*) FILTER (WHERE ${passed}))::int AS validated,
         (count(*) FILTER (WHERE outcome = 'dropped'))::int AS dropped,
         sum(expected_savings_per_hour) FILTER (WHERE ${passed}) AS savings,
         sum((inputs -> 'expectedSavings' ->> 'riskPerHourUsd')::numeric) FILTER (WHERE ${passed}) AS risk
       FROM decisions ${where.where()} GROUP BY from_shadow, kind, model_id`,
      where.params,
    );
    const side = (): ModelSideSummary => ({
      decisions: 0,
      validated: 0,
      dropped: 0,
      byKind: {},
      expectedSavingsPerHourUsd: 0,
      riskReductionPerHourUsd: 0,
      modelIds: [],
    });
    const out: ModelComparison = { active: side(), shadow: side() };
    for (const r of rows) {
      const s = r.from_shadow ? out.shadow : out.active;
      s.decisions += r.n;
      s.validated += r.validated;
      s.dropped += r.dropped;
      s.byKind[r.kind] = (s.byKind[r.kind] ?? 0) + r.n;
      s.expectedSavingsPerHourUsd += Number(r.savings ?? 0);
      s.riskReductionPerHourUsd += Number(r.risk ?? 0);
      if (!s.modelIds.includes(r.model_id)) s.modelIds.push(r.model_id);
    }
    for (const s of [out.active, out.shadow]) {
      s.expectedSavingsPerHourUsd = round6(s.expectedSavingsPerHourUsd);
      s.riskReductionPerHourUsd = round6(s.riskReductionPerHourUsd);
    }
    return out;
  }

  /** Why a conditional update matched no row: no such decision, or its state. */
  private async refusal(clientId: string, id: string, explain: (d: DecisionRecord) => string): Promise<MetadataStoreError> {
    const d = await this.get(clientId, id);
    return d
      ? new MetadataStoreError('invalid_state', explain(d))
      : new MetadataStoreError('not_found', `no decision ${id} for client ${clientId}`);
  }
}
