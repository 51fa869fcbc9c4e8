import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@ballast/common';
import { tempDir } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsTlsOptions } from '../nats-tls.ts';

const dir = tempDir('nats-tls-unit');
const file = (name: string) => join(dir.path, name);

beforeAll(() => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir.path, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=c', '-keyout', 'c.key', '-out', 'c.crt');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other.key');
  writeFileSync(file('junk.pem'), 'not a PEM file\n');
}, 60_000);
afterAll(() => dir.remove());

// The hub and the agent both read their NATS TLS files through this.
describe('natsTlsOptions', () => {
  const none = { natsUrl: 'nats://127.0.0.1:4222', natsTlsCa: '', natsTlsCert: '', natsTlsKey: '' };

  it('leaves TLS to the server when nothing asks for it, and requires it for a tls:// URL', () => {
    expect(natsTlsOptions(none)).toBeUndefined();
    expect(natsTlsOptions({ ...none, natsUrl: 'nats://a:4222,tls://b:4222' })).toEqual({});
  });

  it('hands nats.js the paths of files that parse', () => {
    expect(natsTlsOptions({ ...none, natsTlsCa: file('c.crt'), natsTlsCert: file('c.crt'), natsTlsKey: file('c.key') })).toEqual({
      caFile: file('c.crt'),
      certFile: file('c.crt'),
      keyFile: file('c.key'),
    });
  });

  it('names the field and the path of a file it cannot use', () => {
    const problem = (s: Partial<typeof none>) => {
      try {
        natsTlsOptions({ ...none, ...s });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      return null;
    };
    expect(problem({ natsTlsCa: file('nope.crt') })).toMatch(`natsTlsCa (--nats-tls-ca): cannot read ${file('nope.crt')}`);
    expect(problem({ natsTlsCa: file('junk.pem') })).toMatch(`natsTlsCa (--nats-tls-ca): ${file('junk.pem')} is not a PEM certificate`);
    expect(problem({ natsTlsCert: file('c.crt') })).toMatch(
      'natsTlsCert (--nats-tls-cert) and natsTlsKey (--nats-tls-key): give both or neither',
    );
    expect(problem({ natsTlsCert: file('c.crt'), natsTlsKey: file('nope.key') })).toMatch(
      `natsTlsKey (--nats-tls-key): cannot read ${file('nope.key')}`,
    );
    expect(problem({ natsTlsCert: file('c.crt'), natsTlsKey: file('junk.pem') })).toMatch(`${file('junk.pem')} is not a PEM private key`);
    expect(problem({ natsTlsCert: file('c.crt'), natsTlsKey: file('other.key') })).toMatch(
      `${file('other.key')} is not the key of ${file('c.crt')}`,
    );
    expect(problem({ natsTlsCert: file('c.key'), natsTlsKey: file('c.key') })).toMatch('natsTlsCert (--nats-tls-cert)');
  });
});
