import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

/** Debian installs each major version under /usr/lib/postgresql/<ver>/bin; POSTGRES_BIN_DIR overrides. */
export function postgresBinDir(): string {
  const override = process.env.POSTGRES_BIN_DIR;
  if (override) return override;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error(`no PostgreSQL server binaries under ${root}/<version>/bin: apt-get install postgresql`);
  return join(root, versions[0], 'bin');
}

export interface PostgresServerOptions {
  /** Serve TLS too, with a throwaway CA (`tls.caFile`) and a certificate for 127.0.0.1 and localhost. */
  tls?: boolean;
}

export interface PostgresServerHandle {
  /** URL of the `postgres` database as the `postgres` superuser (trust auth, no password). */
  url: string;
  port: number;
  pid: number;
  /** PEM files when started with `tls: true`. */
  tls: { caFile: string } | null;
  /** URL of another database on this server. */
  urlFor(database: string): string;
  /** Creates an empty database with a fresh name and returns its URL. */
  createDatabase(): Promise<string>;
  /** Fast shutdown (SIGINT: clients are disconnected), then removes the temp dir; safe twice. */
  stop(): Promise<void>;
  /** What the server printed, for failure messages. */
  tail(n?: number): string;
}

/**
 * Starts a real PostgreSQL (the system's binaries) in a fresh temp dir on a free loopback
 * port, its unix socket inside that dir, durability off for speed. PostgreSQL refuses to
 * run as root, so as root initdb and the server run as the `postgres` user (setpriv execs
 * in place: the PID we hold is the server's own) with the dir chowned to it.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServerHandle> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'ballast-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  const asOwner = (cmd: string, args: string[]): [string, string[]] =>
    owner ? ['setpriv', [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups', '--', cmd, ...args]] : [cmd, args];
  const tls = options.tls ? makeCertificates(dir) : null;
  if (owner) chownTree(dir, owner, [socketDir, ...(tls ? [tls.certFile, tls.keyFile] : [])]);

  try {
    await run(...asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${e.stderr || e.message}`);
  }

  const port = await freePort();
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=100', 'log_min_messages=warning'];
  if (tls) settings.push('ssl=on', `ssl_cert_file=${tls.certFile}`, `ssl_key_file=${tls.keyFile}`);
  const [cmd, args] = asOwner(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    socketDir,
    ...settings.flatMap((s) => ['-c', s]),
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await signalAndWait(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url('postgres'), child, () => output.slice(-20).join('\n'));
  } catch (err) {
    await stop();
    throw err;
  }
  let databases = 0;
  return {
    url: url('postgres'),
    port,
    pid: child.pid as number,
    tls: tls ? { caFile: tls.caFile } : null,
    urlFor: url,
    createDatabase: async () => {
      const name = `test_${process.pid}_${++databases}`;
      await withClient(url('postgres'), (c) => c.query(`CREATE DATABASE ${name}`));
      return url(name);
    },
    stop,
    tail: (n = 20) => output.slice(-n).join('\n'),
  };
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and PostgreSQL refuses root: no `postgres` user to run it as (apt-get install postgresql creates one)',
    );
  }
}

function chownTree(dir: string, owner: { uid: number; gid: number }, paths: string[]): void {
  for (const p of [dir, ...paths]) chownSync(p, owner.uid, owner.gid);
}

/** A throwaway CA and a server certificate it signed, for 127.0.0.1 and localhost (EC keys: fast to make). */
function makeCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=ballast-test-ca');
  openssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
  );
  // PostgreSQL refuses a key others can read.
  chmodSync(f('server.key'), 0o600);
  return { caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key') };
}

/** Ready means a query answers: the port opens before recovery finishes ("the database system is starting up"). */
async function waitUntilReady(url: string, child: ChildProcess, tail: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during start:\n${tail()}`);
    try {
      await withClient(url, (c) => c.query('SELECT 1'));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`postgres not ready within ${timeoutMs} ms (${(err as Error).message}):\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function signalAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid as number, 'SIGINT');
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid as number, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
