import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFixture {
  /** PEM of the CA that signed `cert`. */
  ca: Buffer;
  /** A server certificate for 127.0.0.1 and its key. */
  cert: Buffer;
  key: Buffer;
  /** A second CA that signed nothing here (a server's certificate must not verify against it). */
  otherCa: Buffer;
}

/** A throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI into `dir`. */
export function makeTlsFixture(dir: string): TlsFixture {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=ballast-test-ca');
  ssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.crt', '-days', '1', '-subj', '/CN=ballast-other-ca');
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  const read = (f: string) => readFileSync(join(dir, f));
  return { ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key'), otherCa: read('other.crt') };
}
