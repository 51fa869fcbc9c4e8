import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ballast/common';
import { afterAll, describe, expect, it } from 'vitest';
import { grpcTlsFromConfig } from '../../src/transport/grpc-tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'ballast-grpc-tls-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const none = { hubTls: false, hubTlsCa: '', hubTlsCert: '', hubTlsKey: '' };

describe('grpcTlsFromConfig', () => {
  it('is plaintext unless asked; --hub-tls alone verifies against the system CAs', () => {
    expect(grpcTlsFromConfig(none)).toBeUndefined();
    expect(grpcTlsFromConfig({ ...none, hubTls: true })).toEqual({ ca: null, cert: null, key: null });
  });

  it('reads the CA and the client pair', () => {
    const ca = file('ca.crt', PEM);
    const tls = grpcTlsFromConfig({
      ...none,
      hubTlsCa: ca,
      hubTlsCert: file('a.crt', PEM),
      hubTlsKey: file('a.key', PEM.replaceAll('CERTIFICATE', 'PRIVATE KEY')),
    });
    expect(tls?.ca?.toString()).toBe(PEM);
    expect(tls?.cert).not.toBeNull();
    expect(tls?.key?.toString()).toContain('PRIVATE KEY');
  });

  it('names the flag and the path of what it cannot use', () => {
    const problem = (s: Partial<typeof none>) => {
      try {
        grpcTlsFromConfig({ ...none, ...s });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      return null;
    };
    expect(problem({ hubTlsCa: join(dir, 'nope.crt') })).toMatch(`hubTlsCa (--hub-tls-ca): cannot read ${join(dir, 'nope.crt')}`);
    expect(problem({ hubTlsCa: file('junk', 'not pem') })).toMatch(`hubTlsCa (--hub-tls-ca): ${join(dir, 'junk')} is not a PEM file`);
    expect(problem({ hubTlsCert: file('b.crt', PEM) })).toMatch('give both or neither');
  });
});
