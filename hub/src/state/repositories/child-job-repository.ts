import type { SqlSession } from '../metadata-store.ts';
import type { JobStatus } from './job-types.ts';

export interface ChildJobState {
  id: string;
  status: JobStatus;
  target: string;
}

/**
 * The child jobs a parent job (force on-demand, kill switch, revert) started, found by the
 * `parentJobId` their parameters carry, so the parent can keep at most N running and wait
 * for all of them.
 */
export class ChildJobRepository {
  constructor(private readonly db: SqlSession) {}

  async children(parentJobId: string): Promise<ChildJobState[]> {
    const { rows } = await this.db.query<{ id: string; status: JobStatus; target: string | null }>(
      `SELECT id, status, params->>'instanceId' AS target FROM jobs WHERE params->>'parentJobId' = $1 ORDER BY created_at, id`,
      [parentJobId],
    );
    return rows.map((r) => ({ id: r.id, status: r.status, target: r.target ?? '' }));
  }
}
