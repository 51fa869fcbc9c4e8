import { TupleParam } from '@clickhouse/client';
import type { RowReader } from './metrics-catalog-sql.ts';
import type { AgentEpochKey, SequenceProgress } from './metrics-store.ts';

/**
 * Where the hub stands in each agent epoch's sequence space, read from the ingest ledger
 * (ingest_batches): one query for all epochs, and a second only for those with gaps.
 */
export async function sequenceProgressMany(rows: RowReader, keys: AgentEpochKey[]): Promise<SequenceProgress[]> {
  if (keys.length === 0) return [];
  const keyOf = (k: { tenant: string; cluster: string; node: string; epoch: string }) => `${k.tenant}\0${k.cluster}\0${k.node}\0${k.epoch}`;
  const where = '(tenant, cluster, node, epoch) IN {keys:Array(Tuple(String, String, String, UInt64))}';
  const summaries = await rows<{ tenant: string; cluster: string; node: string; epoch: string; n: string; top: string }>(
    `SELECT tenant, cluster, node, toString(epoch) AS epoch, toString(uniqExact(seq)) AS n, toString(max(seq)) AS top
     FROM ingest_batches WHERE ${where} GROUP BY tenant, cluster, node, epoch`,
    { keys: keys.map((k) => new TupleParam([k.tenant, k.cluster, k.node, k.epoch])) },
  );
  const found = new Map<string, SequenceProgress>();
  // Sequences start at 1, so n == top means there is no gap; only gapped epochs need their list.
  const gapped: TupleParam[] = [];
  for (const r of summaries) {
    const top = BigInt(r.top);
    if (BigInt(r.n) === top) found.set(keyOf(r), { contiguous: top, above: [] });
    else gapped.push(new TupleParam([r.tenant, r.cluster, r.node, BigInt(r.epoch)]));
  }
  if (gapped.length > 0) {
    const lists = await rows<{ tenant: string; cluster: string; node: string; epoch: string; seqs: string[] }>(
      `SELECT tenant, cluster, node, toString(epoch) AS epoch, arrayMap(s -> toString(s), arraySort(groupUniqArray(seq))) AS seqs
       FROM ingest_batches WHERE ${where} GROUP BY tenant, cluster, node, epoch`,
      { keys: gapped },
    );
    for (const r of lists) found.set(keyOf(r), progressOf(r.seqs.map(BigInt)));
  }
  return keys.map((k) => found.get(keyOf({ ...k, epoch: k.epoch.toString() })) ?? { contiguous: 0n, above: [] });
}

/** Contiguous prefix 1..n and what lies above it, from sorted distinct sequences. */
function progressOf(seqs: bigint[]): SequenceProgress {
  let contiguous = 0n;
  const above: bigint[] = [];
  for (const s of seqs) {
    if (s === contiguous + 1n && above.length === 0) contiguous = s;
    else above.push(s);
  }
  return { contiguous, above };
}
