import { ConfigError } from '@ballast/common';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.ts';
import type { MetadataStore } from './metadata-store.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import { openPostgresDriver, type PostgresDriverOptions } from './postgres-driver.ts';
import { resolvePostgresTls } from './postgres-tls.ts';
import { SqlMetadataStore, type SqlMetadataStoreOptions } from './sql-metadata-store.ts';

export type MetadataStoreOptions = SqlMetadataStoreOptions &
  (
    | {
        kind: 'pglite';
        /** Data directory; null keeps the database in memory (tests only: nothing survives close). */
        path: string | null;
      }
    | ({ kind: 'postgres' } & PostgresDriverOptions)
  );

/**
 * Opens the configured store; call `migrate()` next. PGlite claims its data directory here
 * (`locked` if another process has it); PostgreSQL connects lazily, so an unreachable
 * server shows at the first call (`unavailable`).
 * @throws MetadataStoreError `locked` or `unavailable` (PGlite).
 */
export async function openMetadataStore(options: MetadataStoreOptions): Promise<MetadataStore> {
  const driver =
    options.kind === 'pglite'
      ? await openPgliteDriver({ path: options.path, pathHint: where('metadataPath') })
      : openPostgresDriver(options);
  return new SqlMetadataStore(driver, options);
}

/**
 * The store options the hub's config asks for, checked across fields (each field alone was
 * checked when the config loaded): PostgreSQL needs a URL, TLS files must be readable, and
 * a PostgreSQL URL without `--metadata postgres` is refused rather than silently ignored.
 * @throws ConfigError naming the field.
 */
export function metadataStoreOptionsFromConfig(config: HubConfig): MetadataStoreOptions {
  if (config.metadata === 'pglite') {
    if (config.postgresUrl !== '') {
      throw new ConfigError(
        where('metadata'),
        'is pglite but postgresUrl is set: set metadata to postgres to use that server, or unset postgresUrl',
      );
    }
    return { kind: 'pglite', path: config.metadataPath };
  }
  if (config.postgresUrl === '') throw new ConfigError(where('postgresUrl'), 'is required when metadata is postgres');
  const resolved = resolvePostgresTls(
    config.postgresUrl,
    { sslMode: config.postgresSslMode, caFile: config.postgresCaFile, certFile: config.postgresCertFile, keyFile: config.postgresKeyFile },
    {
      url: where('postgresUrl'),
      sslMode: where('postgresSslMode'),
      caFile: where('postgresCaFile'),
      certFile: where('postgresCertFile'),
      keyFile: where('postgresKeyFile'),
    },
  );
  return { kind: 'postgres', url: resolved.url, ssl: resolved.ssl };
}

/** A field as the config loader names it in errors. */
function where(name: keyof typeof HUB_CONFIG): string {
  const f = HUB_CONFIG[name];
  return `${name} (--${f.flag} / ${f.env.join(' / ')})`;
}
