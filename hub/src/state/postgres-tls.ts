import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@ballast/common';

export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

export interface PostgresTlsSettings {
  /** '' = take `sslmode` from the URL. */
  sslMode: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** The config field names behind each setting, for error messages. */
export type TlsFieldNames = Record<'url' | keyof PostgresTlsSettings, string>;

export interface ResolvedPostgresConnection {
  /** The URL without TLS parameters: pg would let them override `ssl`. */
  url: string;
  mode: PostgresSslMode;
  ssl: false | ConnectionOptions;
}

const URL_TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'sslnegotiation'];

/**
 * Turns the URL and the TLS fields into pg's `ssl` options, with libpq's meanings: require
 * encrypts without checking the server (unless a CA is given, then as verify-ca), verify-ca
 * checks the chain, verify-full also the host name. A field beats the URL's parameter; with
 * neither, a CA or client certificate implies verify-full and nothing means disable.
 * `prefer` and `allow` are refused: pg cannot fall back to plain text, and a silent
 * downgrade is worse than a start-up error. Files are read now, so a bad path stops start-up.
 * @throws ConfigError naming the field.
 */
export function resolvePostgresTls(
  url: string,
  fields: PostgresTlsSettings,
  names: TlsFieldNames,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ResolvedPostgresConnection {
  const parsed = new URL(url);
  const fromUrl = (p: string) => parsed.searchParams.get(p) ?? '';
  const ca = pick(fields.caFile, names.caFile, fromUrl('sslrootcert'), names.url);
  const cert = pick(fields.certFile, names.certFile, fromUrl('sslcert'), names.url);
  const key = pick(fields.keyFile, names.keyFile, fromUrl('sslkey'), names.url);
  const modeSource = fields.sslMode !== '' ? names.sslMode : names.url;
  const rawMode = fields.sslMode || fromUrl('sslmode') || (ca.path || cert.path || key.path ? 'verify-full' : 'disable');
  if (!(POSTGRES_SSL_MODES as readonly string[]).includes(rawMode)) {
    throw new ConfigError(
      modeSource,
      `sslmode "${rawMode}" is not one of ${POSTGRES_SSL_MODES.join(', ')} (prefer/allow would silently fall back to plain text)`,
    );
  }
  const mode = rawMode as PostgresSslMode;
  for (const p of URL_TLS_PARAMS) parsed.searchParams.delete(p);
  const stripped = parsed.toString();
  if (mode === 'disable') {
    const given = [ca, cert, key].find((f) => f.path);
    if (given)
      throw new ConfigError(
        modeSource,
        `sslmode is disable but ${given.where} names a TLS file; set sslmode to require, verify-ca or verify-full`,
      );
    return { url: stripped, mode, ssl: false };
  }
  if (Boolean(cert.path) !== Boolean(key.path)) {
    throw new ConfigError(cert.path ? names.keyFile : names.certFile, 'a client certificate needs both the certificate and its key');
  }
  const ssl: ConnectionOptions = {};
  if (ca.path) ssl.ca = load(ca, read);
  if (cert.path) ssl.cert = load(cert, read);
  if (key.path) ssl.key = load(key, read);
  const verifyChain = mode !== 'require' || Boolean(ca.path);
  ssl.rejectUnauthorized = verifyChain;
  // Node checks the host name unless told not to; only verify-full wants it.
  if (verifyChain && mode !== 'verify-full') ssl.checkServerIdentity = () => undefined;
  return { url: stripped, mode, ssl };
}

interface FileSetting {
  path: string;
  where: string;
}

function pick(field: string, fieldName: string, urlValue: string, urlName: string): FileSetting {
  return field !== '' ? { path: field, where: fieldName } : { path: urlValue, where: urlName };
}

function load(file: FileSetting, read: (path: string) => string): string {
  try {
    return read(file.path);
  } catch (err) {
    throw new ConfigError(file.where, `cannot read ${file.path}: ${(err as Error).message}`);
  }
}
