import { ConfigError, loadConfig } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { HUB_CONFIG } from '../config/hub-config.ts';
import { metadataStoreOptionsFromConfig } from './metadata-store-factory.ts';

const options = (env: Record<string, string>) => metadataStoreOptionsFromConfig(loadConfig(HUB_CONFIG, [], env));
const failure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('metadata store config', () => {
  it('defaults to PGlite in .data/metadata', () => {
    expect(options({})).toEqual({ kind: 'pglite', path: '.data/metadata' });
  });

  it('opens PostgreSQL from its URL, TLS off unless asked for', () => {
    expect(options({ BALLAST_METADATA: 'postgres', BALLAST_POSTGRES_URL: 'postgres://hub:pw@db:5432/ballast' })).toEqual({
      kind: 'postgres',
      url: 'postgres://hub:pw@db:5432/ballast',
      ssl: false,
    });
  });

  it('stops start-up with a message naming the field', () => {
    expect(failure(() => options({ BALLAST_METADATA: 'postgres' }))).toBe(
      'invalid configuration: postgresUrl (--postgres-url / BALLAST_POSTGRES_URL): is required when metadata is postgres',
    );
    expect(failure(() => options({ BALLAST_POSTGRES_URL: 'postgres://db/x' }))).toMatch(/^invalid configuration: metadata \(--metadata/);
    expect(failure(() => options({ BALLAST_METADATA: 'sqlite' }))).toMatch(
      /metadata \(--metadata \/ BALLAST_METADATA\): "sqlite" is not one of pglite, postgres/,
    );
    expect(failure(() => options({ BALLAST_POSTGRES_URL: 'mysql://db/x' }))).toMatch(/postgresUrl .*is not a postgres/);
    expect(failure(() => options({ BALLAST_POSTGRES_SSLMODE: 'prefer' }))).toMatch(/postgresSslMode .*"prefer" is not one of/);
    expect(
      failure(() =>
        options({ BALLAST_METADATA: 'postgres', BALLAST_POSTGRES_URL: 'postgres://db/x', BALLAST_POSTGRES_CA_FILE: '/nonexistent/ca.pem' }),
      ),
    ).toMatch(/postgresCaFile \(--postgres-ca-file \/ BALLAST_POSTGRES_CA_FILE\): cannot read \/nonexistent\/ca.pem/);
  });
});
