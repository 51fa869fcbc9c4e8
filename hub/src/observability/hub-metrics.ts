import type { SqlSession } from '../state/metadata-store.ts';
import type { MetricFamily } from './prometheus.ts';

/** What the hub's own metrics are read from; each is cheap (counters in memory, two GROUP BYs). */
export interface HubMetricsSources {
  ingest: () => { queuedPoints: number; storedPoints: number; storedBatches: number; failedInserts: number; lastInsertMs: number };
  connectedAgents: () => number;
  /** NATS messages settled by this hub; null when NATS is off. */
  nats: () => { received: number; acked: number; terminated: number; naked: number } | null;
  /** The metadata store; null before it opened. */
  metadata: () => SqlSession | null;
}

/**
 * The families GET /metrics serves. Counters count since this process started; jobs and
 * decisions are counted in the metadata store, so every hub of a group reports the same.
 */
export async function collectHubMetrics(s: HubMetricsSources): Promise<MetricFamily[]> {
  const ingest = s.ingest();
  const families: MetricFamily[] = [
    counter(
      'ballast_ingest_points_total',
      'Sample points stored by this hub since it started (rate() of it is the ingest rate).',
      ingest.storedPoints,
    ),
    counter('ballast_ingest_batches_total', 'Agent batches stored by this hub since it started.', ingest.storedBatches),
    counter('ballast_ingest_failed_inserts_total', 'Store inserts that failed and were retried.', ingest.failedInserts),
    gauge(
      'ballast_ingest_queue_points',
      'Points received and waiting to be stored (agents are held back at the configured maximum).',
      ingest.queuedPoints,
    ),
    gauge('ballast_store_insert_last_seconds', 'Duration of the latest store insert.', ingest.lastInsertMs / 1000),
    gauge('ballast_agents_connected', 'Agent streams connected to this hub now.', s.connectedAgents()),
  ];
  const nats = s.nats();
  if (nats) {
    families.push({
      name: 'ballast_nats_messages_total',
      help: 'JetStream messages this hub took, by how it settled them (acked: stored; terminated: refused; naked: retried later).',
      type: 'counter',
      samples: [
        { labels: { result: 'received' }, value: nats.received },
        { labels: { result: 'acked' }, value: nats.acked },
        { labels: { result: 'terminated' }, value: nats.terminated },
        { labels: { result: 'naked' }, value: nats.naked },
      ],
    });
  }
  const db = s.metadata();
  if (db) {
    families.push({
      name: 'ballast_jobs',
      help: 'Jobs in the metadata store by status.',
      type: 'gauge',
      samples: await grouped(db, 'SELECT status AS k, count(*)::int AS n FROM jobs GROUP BY status', 'status'),
    });
    families.push({
      name: 'ballast_decisions',
      help: 'Decisions in the metadata store by outcome (pending, dropped, executed, failed).',
      type: 'gauge',
      samples: await grouped(db, 'SELECT outcome AS k, count(*)::int AS n FROM decisions GROUP BY outcome', 'outcome'),
    });
  }
  return families;
}

const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });
const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });

// Straight SQL rather than a repository method: two read-only counts for monitoring, over columns the migrations fix.
async function grouped(db: SqlSession, sql: string, label: string): Promise<MetricFamily['samples']> {
  const rows = (await db.query<{ k: string; n: number }>(sql)).rows;
  return rows.map((r) => ({ labels: { [label]: r.k }, value: r.n }));
}
