import { randomUUID } from 'node:crypto';
import type { ScoringModel } from '../../scoring/scoring-model.ts';
import type { SqlSession } from '../metadata-store.ts';
import { MetadataStoreError } from '../metadata-store-error.ts';
import { at, isUuid, json, toMs, toMsOrNull } from './sql-values.ts';

export type ScoringModelStatus = 'active' | 'shadow' | 'inactive';

export interface StoredScoringModel {
  id: string;
  name: string;
  version: number;
  model: ScoringModel;
  status: ScoringModelStatus;
  createdAt: number;
  createdBy: string;
  /** When it last became active; null if it never was. */
  promotedAt: number | null;
}

interface Row {
  id: string;
  name: string;
  version: number;
  model: ScoringModel;
  status: ScoringModelStatus;
  created_at: Date;
  created_by: string;
  promoted_at: Date | null;
}

/**
 * Stored scoring models: at most one active (what decisions use), at most one in shadow
 * (scored alongside, its decisions recorded but not executed). Status changes lock the
 * table against other status changes (readers are not blocked), so two promotions at
 * once take turns instead of failing on the unique indexes. The model is stored as given:
 * validate it (validateScoringModel) before upload.
 */
export class ScoringModelRepository {
  constructor(private readonly db: SqlSession) {}

  /** Stores a model as inactive. @throws MetadataStoreError `conflict` when (name, version) exists. */
  async upload(input: { model: ScoringModel; createdBy: string; id?: string }, now: number): Promise<StoredScoringModel> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO scoring_models (id, name, version, model, created_at, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6) RETURNING *`,
      [input.id ?? randomUUID(), input.model.name, input.model.version, json(input.model), at(now, 'now'), input.createdBy],
    );
    return toModel(rows[0] as Row);
  }

  async get(id: string): Promise<StoredScoringModel | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<Row>('SELECT * FROM scoring_models WHERE id = $1', [id]);
    return rows[0] ? toModel(rows[0]) : null;
  }

  /** Every model, newest upload first. */
  async list(): Promise<StoredScoringModel[]> {
    const { rows } = await this.db.query<Row>('SELECT * FROM scoring_models ORDER BY created_at DESC, name, version DESC');
    return rows.map(toModel);
  }

  async current(): Promise<{ active: StoredScoringModel | null; shadow: StoredScoringModel | null }> {
    const { rows } = await this.db.query<Row>("SELECT * FROM scoring_models WHERE status IN ('active', 'shadow')");
    const find = (s: ScoringModelStatus) => rows.find((r) => r.status === s);
    const active = find('active');
    const shadow = find('shadow');
    return { active: active ? toModel(active) : null, shadow: shadow ? toModel(shadow) : null };
  }

  /**
   * Makes `id` the active model in one transaction: the previous active one becomes
   * inactive; if `id` was the shadow, the shadow slot empties. Promoting the active model
   * changes nothing. @throws MetadataStoreError `not_found`.
   */
  async promote(id: string, now: number): Promise<StoredScoringModel> {
    return this.db.transaction(async (tx) => {
      const target = await lockAndFind(tx, id);
      if (target.status === 'active') return toModel(target);
      await tx.query("UPDATE scoring_models SET status = 'inactive' WHERE status = 'active'");
      const { rows } = await tx.query<Row>("UPDATE scoring_models SET status = 'active', promoted_at = $2 WHERE id = $1 RETURNING *", [
        id,
        at(now, 'now'),
      ]);
      return toModel(rows[0] as Row);
    });
  }

  /**
   * Runs `id` in shadow, replacing the previous shadow model (which becomes inactive).
   * @throws MetadataStoreError `not_found`; `invalid_state` if `id` is the active model.
   */
  async setShadow(id: string): Promise<StoredScoringModel> {
    return this.db.transaction(async (tx) => {
      const target = await lockAndFind(tx, id);
      if (target.status === 'shadow') return toModel(target);
      if (target.status === 'active') {
        throw new MetadataStoreError(
          'invalid_state',
          `scoring model ${target.name} v${target.version} is active and cannot also be the shadow`,
        );
      }
      await tx.query("UPDATE scoring_models SET status = 'inactive' WHERE status = 'shadow'");
      const { rows } = await tx.query<Row>("UPDATE scoring_models SET status = 'shadow' WHERE id = $1 RETURNING *", [id]);
      return toModel(rows[0] as Row);
    });
  }

  /** Stops the shadow run; returns the model that was the shadow, null if none was. */
  async clearShadow(): Promise<StoredScoringModel | null> {
    const { rows } = await this.db.query<Row>("UPDATE scoring_models SET status = 'inactive' WHERE status = 'shadow' RETURNING *");
    return rows[0] ? toModel(rows[0]) : null;
  }
}

/** SHARE ROW EXCLUSIVE conflicts with itself and with writers, not with readers. */
async function lockAndFind(tx: SqlSession, id: string): Promise<Row> {
  await tx.query('LOCK TABLE scoring_models IN SHARE ROW EXCLUSIVE MODE');
  const row = isUuid(id) ? (await tx.query<Row>('SELECT * FROM scoring_models WHERE id = $1', [id])).rows[0] : undefined;
  if (!row) throw new MetadataStoreError('not_found', `no scoring model ${id}`);
  return row;
}

function toModel(r: Row): StoredScoringModel {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    model: r.model,
    status: r.status,
    createdAt: toMs(r.created_at),
    createdBy: r.created_by,
    promotedAt: toMsOrNull(r.promoted_at),
  };
}
