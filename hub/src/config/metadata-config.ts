import { field } from '@ballast/common';
import { POSTGRES_SSL_MODES } from '../state/postgres-tls.ts';

/** Where the hub keeps its metadata (tenants, models, decisions, jobs, users, audit): embedded PGlite or a PostgreSQL server. */
export const METADATA_CONFIG = {
  metadata: field({
    kind: 'enum',
    flag: 'metadata',
    env: ['BALLAST_METADATA'],
    default: 'pglite',
    values: ['pglite', 'postgres'] as const,
    help: 'metadata store: pglite (embedded) or postgres (server, needs --postgres-url)',
  }),
  metadataPath: field({
    kind: 'string',
    flag: 'metadata-path',
    env: ['BALLAST_METADATA_PATH'],
    default: '.data/metadata',
    check: (v: string) => (v !== '' ? null : 'must not be empty'),
    help: 'PGlite data directory (one hub process per directory)',
  }),
  postgresUrl: field({
    kind: 'string',
    flag: 'postgres-url',
    env: ['BALLAST_POSTGRES_URL'],
    default: '',
    check: (v: string) => (v === '' || isPostgresUrl(v) ? null : 'is not a postgres:// or postgresql:// URL'),
    help: 'PostgreSQL URL, postgres://user:password@host:5432/database (TLS parameters such as sslmode allowed)',
  }),
  postgresSslMode: field({
    kind: 'string',
    flag: 'postgres-sslmode',
    env: ['BALLAST_POSTGRES_SSLMODE'],
    default: '',
    check: (v: string) =>
      v === '' || (POSTGRES_SSL_MODES as readonly string[]).includes(v) ? null : `"${v}" is not one of ${POSTGRES_SSL_MODES.join(', ')}`,
    help: "PostgreSQL TLS: disable, require, verify-ca or verify-full (empty: the URL's sslmode, else verify-full if a TLS file is set, else disable)",
  }),
  postgresCaFile: field({
    kind: 'string',
    flag: 'postgres-ca-file',
    env: ['BALLAST_POSTGRES_CA_FILE'],
    default: '',
    help: 'PEM file of the CA(s) that signed the PostgreSQL server certificate (default: the system CAs)',
  }),
  postgresCertFile: field({
    kind: 'string',
    flag: 'postgres-cert-file',
    env: ['BALLAST_POSTGRES_CERT_FILE'],
    default: '',
    help: 'PEM client certificate for PostgreSQL (with --postgres-key-file)',
  }),
  postgresKeyFile: field({
    kind: 'string',
    flag: 'postgres-key-file',
    env: ['BALLAST_POSTGRES_KEY_FILE'],
    default: '',
    help: 'PEM private key of the PostgreSQL client certificate',
  }),
};

function isPostgresUrl(v: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}
