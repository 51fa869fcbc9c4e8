import { readFileSync } from 'node:fs';
import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TlsOptions } from '@nats-io/transport-node';

/**
 * Why every NATS server in `servers` refuses a TLS client with these options, or null when
 * one accepts it or the answer is not about TLS (unreachable, not NATS, slow: the real
 * connect reports those). The reason this exists: a server that refuses the client's
 * certificate does so with a TLS alert after nats.js has counted the handshake done, and
 * nats.js then reports only a connect timeout. Done once before a first connect, it costs
 * one handshake per server.
 */
export async function natsTlsRefusal(servers: string[], tls: TlsOptions, timeoutMs = 5_000): Promise<string | null> {
  let first: string | null = null;
  for (const server of servers) {
    const reason = await probe(server.trim(), tls, timeoutMs);
    if (reason === null) return null;
    first ??= reason;
  }
  return first;
}

/** A NATS server refused this client at the TLS handshake; the message says which server and why. */
export class NatsTlsRefusedError extends Error {
  override readonly name = 'NatsTlsRefusedError';
}

function probe(server: string, tls: TlsOptions, timeoutMs: number): Promise<string | null> {
  const { host, port } = hostPort(server);
  let files: { ca?: Buffer[]; cert?: Buffer; key?: Buffer };
  try {
    files = {
      ca: tls.caFile ? [readFileSync(tls.caFile)] : undefined,
      cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
      key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
    };
  } catch (err) {
    return Promise.resolve(`cannot read a TLS file: ${(err as Error).message}`);
  }
  return new Promise((resolve) => {
    let settled = false;
    const socket = tcpConnect(port, host);
    const done = (reason: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason === null ? null : `${host}:${port}: ${reason}`);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once('error', () => done(null));
    let info = '';
    const onInfo = (chunk: Buffer) => {
      info += chunk.toString('latin1');
      const end = info.indexOf('\r\n');
      if (end < 0) return;
      socket.off('data', onInfo);
      const m = /^INFO\s+(\{.*\})\s*$/.exec(info.slice(0, end));
      if (!m) return done(null);
      let offered: { tls_required?: boolean; tls_available?: boolean };
      try {
        offered = JSON.parse(m[1] as string);
      } catch {
        return done(null);
      }
      if (!offered.tls_required && !offered.tls_available) return done('the server does not offer TLS');
      const secure = tlsConnect({ socket, servername: isIP(host) ? undefined : host, rejectUnauthorized: true, ...files });
      secure.once('error', (err) => done(refusal(err, tls)));
      secure.once('close', () =>
        done("the server closed the connection after the TLS handshake (it may refuse this client's certificate)"),
      );
      secure.once('secureConnect', () => {
        secure.write('CONNECT {"verbose":false,"pedantic":false,"tls_required":true,"name":"tls-probe"}\r\nPING\r\n');
      });
      let reply = '';
      secure.on('data', (b: Buffer) => {
        reply += b.toString('latin1');
        // PONG: TLS is fine. -ERR (e.g. authorization): not a TLS matter; the real connect reports it.
        if (/PONG|-ERR/.test(reply)) done(null);
      });
    };
    socket.on('data', onInfo);
  });
}

/** What a TLS error means for this client, in words; the OpenSSL text is kept short. */
function refusal(err: Error & { code?: string }, tls: TlsOptions): string {
  const alert = /alert ([a-z ]+)/i.exec(err.message)?.[1]?.trim();
  if (alert) {
    return tls.certFile
      ? `the server refused this client's certificate (TLS alert: ${alert})`
      : `the server requires a client certificate and none is configured (TLS alert: ${alert})`;
  }
  return `the server's certificate was not accepted: ${err.message}${err.code ? ` (${err.code})` : ''}`;
}

function hostPort(server: string): { host: string; port: number } {
  const bare = server.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '');
  // Read the port from the text: URL drops the one its scheme has by default.
  const port = /:(\d+)$/.exec(bare)?.[1];
  return { host: new URL(`http://${bare}`).hostname.replace(/^\[|\]$/g, ''), port: port ? Number(port) : 4222 };
}
