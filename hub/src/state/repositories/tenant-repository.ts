import type { SqlSession } from '../metadata-store.ts';
import { at, toMs } from './sql-values.ts';

export interface ClientRecord {
  id: string;
  name: string;
  createdAt: number;
}

export interface ClusterRecord {
  clientId: string;
  id: string;
  name: string;
  createdAt: number;
}

interface ClientRow {
  id: string;
  name: string;
  created_at: Date;
}

interface ClusterRow extends ClientRow {
  client_id: string;
}

/** Tenants (clients) and their clusters. Works on the store or inside a transaction. */
export class TenantRepository {
  constructor(private readonly db: SqlSession) {}

  /** @throws MetadataStoreError `conflict` if the id exists, `constraint` for an empty or over-long id or name. */
  async createClient(input: { id: string; name: string }, now: number): Promise<ClientRecord> {
    const { rows } = await this.db.query<ClientRow>('INSERT INTO clients (id, name, created_at) VALUES ($1, $2, $3) RETURNING *', [
      input.id,
      input.name,
      at(now, 'now'),
    ]);
    return toClient(rows[0] as ClientRow);
  }

  async getClient(id: string): Promise<ClientRecord | null> {
    const { rows } = await this.db.query<ClientRow>('SELECT * FROM clients WHERE id = $1', [id]);
    return rows[0] ? toClient(rows[0]) : null;
  }

  async listClients(): Promise<ClientRecord[]> {
    const { rows } = await this.db.query<ClientRow>('SELECT * FROM clients ORDER BY id');
    return rows.map(toClient);
  }

  /** @throws MetadataStoreError `conflict` if the cluster exists, `constraint` if the client does not. */
  async createCluster(input: { clientId: string; id: string; name: string }, now: number): Promise<ClusterRecord> {
    const { rows } = await this.db.query<ClusterRow>(
      'INSERT INTO clusters (client_id, id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [input.clientId, input.id, input.name, at(now, 'now')],
    );
    return toCluster(rows[0] as ClusterRow);
  }

  /**
   * The client and cluster an agent names, created (named after their ids) if new, as
   * they are when a cluster's first agent connects. Idempotent and safe to race.
   */
  async ensureCluster(clientId: string, clusterId: string, now: number): Promise<ClusterRecord> {
    const time = at(now, 'now');
    await this.db.query('INSERT INTO clients (id, name, created_at) VALUES ($1, $1, $2) ON CONFLICT (id) DO NOTHING', [clientId, time]);
    await this.db.query('INSERT INTO clusters (client_id, id, name, created_at) VALUES ($1, $2, $2, $3) ON CONFLICT DO NOTHING', [
      clientId,
      clusterId,
      time,
    ]);
    const { rows } = await this.db.query<ClusterRow>('SELECT * FROM clusters WHERE client_id = $1 AND id = $2', [clientId, clusterId]);
    return toCluster(rows[0] as ClusterRow);
  }

  async listClusters(clientId: string): Promise<ClusterRecord[]> {
    const { rows } = await this.db.query<ClusterRow>('SELECT * FROM clusters WHERE client_id = $1 ORDER BY id', [clientId]);
    return rows.map(toCluster);
  }
}

function toClient(r: ClientRow): ClientRecord {
  return { id: r.id, name: r.name, createdAt: toMs(r.created_at) };
}

function toCluster(r: ClusterRow): ClusterRecord {
  return { clientId: r.client_id, id: r.id, name: r.name, createdAt: toMs(r.created_at) };
}
