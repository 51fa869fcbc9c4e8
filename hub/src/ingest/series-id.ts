import { createHash } from 'node:crypto';

/**
 * Global series id: the first 64 bits of SHA-256 over the identity fields. Stable across
 * agent restarts and hub restarts, so re-announced series collapse to one row.
 */
export function globalSeriesId(tenant: string, cluster: string, node: string, metric: string, labels: Record<string, string>): bigint {
  const h = createHash('sha256');
  h.update(tenant).update('\0').update(cluster).update('\0').update(node).update('\0').update(metric);
  for (const name of Object.keys(labels).sort())
    h.update('\0')
      .update(name)
      .update('=')
      .update(labels[name] as string);
  return h.digest().readBigUInt64BE(0);
}
