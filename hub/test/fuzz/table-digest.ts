import type { MetadataStore } from '../../src/state/index.ts';

/** Per table: its row count and a digest of every row's text, so an UPDATE shows up as well as an INSERT or DELETE. */
export type TableDigests = Record<string, { rows: number; digest: string }>;

/**
 * Every base table of the metadata store's schema, read from the catalog rather than a
 * list, so a table a later migration adds is covered without anyone remembering to.
 */
export async function metadataTables(store: MetadataStore): Promise<string[]> {
  const r = await store.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return r.rows.map((row) => row.name);
}

export async function tableDigests(store: MetadataStore): Promise<TableDigests> {
  const out: TableDigests = {};
  for (const name of await metadataTables(store)) {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const r = await store.query<{ rows: number; digest: string }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM ${quoted} t`,
    );
    const row = r.rows[0];
    out[name] = { rows: row?.rows ?? 0, digest: row?.digest ?? '' };
  }
  return out;
}
