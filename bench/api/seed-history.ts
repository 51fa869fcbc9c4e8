/**
 * Writes a day of fleet history into a chDB data directory before the benchmark's hub opens
 * it: the ingest ledger (a batch per node every 10 minutes, which node-hours and savings read)
 * and interruption notices and rebalances (the risk card). Runs as its own short process
 * because chDB allows one process per data directory, and the hub must be the next one.
 *
 *   node --import tsx bench/api/seed-history.ts <chdb dir> <nodes.json> <now ms>
 */
import { readFileSync } from 'node:fs';
import { openStoreConnection } from '../../hub/src/store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from '../../hub/src/store/clickhouse-metrics-store.ts';
import type { SeedNode } from './messages.ts';

const HOUR = 3_600_000;
const [chdbPath, nodesFile, nowArg] = process.argv.slice(2);
if (!chdbPath || !nodesFile || !nowArg) throw new Error('usage: seed-history.ts <chdb dir> <nodes.json> <now ms>');
const nodes = JSON.parse(readFileSync(nodesFile, 'utf8')) as SeedNode[];
const now = Number(nowArg);

const connection = openStoreConnection({ kind: 'chdb', path: chdbPath });
const store = new ClickHouseMetricsStore(connection);
await store.start();
// The store's recordBatches stamps rows with its own wall time; history needs past stamps, so the rows go in directly.
const ledger = [];
for (let h = 0; h < 24; h++)
  for (let k = 0; k < 6; k++)
    for (const n of nodes)
      ledger.push({
        tenant: n.tenant,
        cluster: n.cluster,
        node: n.node,
        epoch: '1',
        seq: String(h * 6 + k + 1),
        points: 200,
        status: 'stored',
        stored_at: now - h * HOUR - k * 600_000,
      });
await connection.client.insert({ table: 'ingest_batches', values: ledger, format: 'JSONEachRow' });
await store.insertEvents(
  nodes.slice(0, 40).map((n, i) => ({
    tenant: n.tenant,
    cluster: n.cluster,
    node: n.node,
    id: `ev-${i}`,
    kind: i % 2 === 0 ? 'spot_interruption' : 'rebalance_recommendation',
    timeMs: now - (i % 20) * HOUR,
    deadlineMs: 0,
    message: '',
    attributes: {},
  })),
);
await store.shutdown();
process.stdout.write(`seeded ${ledger.length} ledger rows and 40 events\n`);
