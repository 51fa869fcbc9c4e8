import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { resolvePostgresTls } from './postgres-tls.ts';

const names = {
  url: 'postgresUrl',
  sslMode: 'postgresSslMode',
  caFile: 'postgresCaFile',
  certFile: 'postgresCertFile',
  keyFile: 'postgresKeyFile',
};
const files: Record<string, string> = { '/ca.pem': 'CA', '/cert.pem': 'CERT', '/key.pem': 'KEY' };
const read = (p: string) => {
  const v = files[p];
  if (v === undefined) throw new Error(`ENOENT: no such file, open '${p}'`);
  return v;
};
const none = { sslMode: '', caFile: '', certFile: '', keyFile: '' };
const resolve = (url: string, over: Partial<typeof none> = {}) => resolvePostgresTls(url, { ...none, ...over }, names, read);
const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('resolvePostgresTls', () => {
  it('is plain text when nothing asks for TLS', () => {
    expect(resolve('postgres://u:p@db:5432/x')).toEqual({ url: 'postgres://u:p@db:5432/x', mode: 'disable', ssl: false });
  });

  it('encrypts without checking on require, and checks the chain once a CA is given', () => {
    expect(resolve('postgres://db/x?sslmode=require').ssl).toEqual({ rejectUnauthorized: false });
    const withCa = resolve('postgres://db/x', { sslMode: 'require', caFile: '/ca.pem' }).ssl as ConnectionOptions;
    expect(withCa).toMatchObject({ ca: 'CA', rejectUnauthorized: true });
    // libpq's require+CA checks the chain but not the host name.
    expect(typeof withCa.checkServerIdentity).toBe('function');
    expect(withCa.checkServerIdentity?.('db', {} as never)).toBeUndefined();
  });

  it('skips only the host name check on verify-ca, and checks everything on verify-full', () => {
    const ca = resolve('postgres://db/x', { sslMode: 'verify-ca' }).ssl as ConnectionOptions;
    expect(ca).toMatchObject({ rejectUnauthorized: true });
    expect(ca.checkServerIdentity?.('db', {} as never)).toBeUndefined();
    expect(typeof ca.checkServerIdentity).toBe('function');
    const full = resolve('postgres://db/x', { sslMode: 'verify-full', caFile: '/ca.pem' }).ssl;
    expect(full).toEqual({ ca: 'CA', rejectUnauthorized: true });
  });

  it('takes TLS from the URL, lets fields win, and strips the URL of TLS parameters pg would obey instead', () => {
    const r = resolve('postgres://db/x?sslmode=verify-full&sslrootcert=/ca.pem&application_name=a', { sslMode: 'require' });
    expect(r.mode).toBe('require');
    expect(r.url).toBe('postgres://db/x?application_name=a');
    expect(r.ssl).toMatchObject({ ca: 'CA', rejectUnauthorized: true });
  });

  it('implies verify-full from a CA or client certificate alone, and sends the client certificate', () => {
    expect(resolve('postgres://db/x', { caFile: '/ca.pem' }).mode).toBe('verify-full');
    expect(resolve('postgres://db/x', { certFile: '/cert.pem', keyFile: '/key.pem' }).ssl).toMatchObject({ cert: 'CERT', key: 'KEY' });
  });

  it('refuses, naming the field: prefer/allow, TLS files with disable, half a client certificate, unreadable files', () => {
    expect(configError(() => resolve('postgres://db/x?sslmode=prefer')).field).toBe('postgresUrl');
    expect(configError(() => resolve('postgres://db/x', { sslMode: 'allow' })).field).toBe('postgresSslMode');
    expect(configError(() => resolve('postgres://db/x', { sslMode: 'disable', caFile: '/ca.pem' })).message).toMatch(
      /postgresSslMode: sslmode is disable but postgresCaFile/,
    );
    expect(configError(() => resolve('postgres://db/x', { certFile: '/cert.pem' })).field).toBe('postgresKeyFile');
    const missing = configError(() => resolve('postgres://db/x', { caFile: '/missing.pem' }));
    expect([missing.field, missing.message]).toEqual(['postgresCaFile', expect.stringContaining('cannot read /missing.pem')]);
  });
});
