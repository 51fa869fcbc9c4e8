import { readFileSync } from 'node:fs';
import { ConfigError } from '@ballast/common';

/** The agent's settings for TLS to the hub's gRPC listener (names as in agent-config.ts). */
export interface GrpcTlsSettings {
  hubTls: boolean;
  hubTlsCa: string;
  hubTlsCert: string;
  hubTlsKey: string;
}

/** PEM material for grpc.credentials.createSsl: null CA = the system's; cert and key together or not at all. */
export interface GrpcTls {
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
}

/**
 * Reads the TLS files once at start, so a missing or unreadable one stops the agent naming
 * the flag and the path (rather than a handshake failing over and over). Undefined when
 * nothing asks for TLS: the agent speaks plaintext gRPC, as before.
 * @throws ConfigError naming the field.
 */
export function grpcTlsFromConfig(c: GrpcTlsSettings): GrpcTls | undefined {
  if (!c.hubTls && c.hubTlsCa === '' && c.hubTlsCert === '' && c.hubTlsKey === '') return undefined;
  if ((c.hubTlsCert === '') !== (c.hubTlsKey === '')) {
    throw new ConfigError('hubTlsCert (--hub-tls-cert) and hubTlsKey (--hub-tls-key)', 'give both or neither');
  }
  return {
    ca: read(c.hubTlsCa, 'hubTlsCa (--hub-tls-ca)'),
    cert: read(c.hubTlsCert, 'hubTlsCert (--hub-tls-cert)'),
    key: read(c.hubTlsKey, 'hubTlsKey (--hub-tls-key)'),
  };
}

function read(path: string, field: string): Buffer | null {
  if (path === '') return null;
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    const e = new ConfigError(field, `cannot read ${path}: ${(err as Error).message}`);
    e.cause = err;
    throw e;
  }
  if (!pem.toString('utf8').includes('-----BEGIN ')) throw new ConfigError(field, `${path} is not a PEM file`);
  return pem;
}
