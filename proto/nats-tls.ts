import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@ballast/common';
// Types only: the agent loads the NATS client itself only on the NATS transport (see its main.ts).
import type { TlsOptions } from '@nats-io/transport-node';

/** The NATS TLS settings, named as in the agent's and the hub's config (shared by both). */
export interface NatsTlsSettings {
  natsUrl: string;
  /** PEM CA bundle the server's certificate must chain to; '' = the system's CAs. */
  natsTlsCa: string;
  /** PEM client certificate presented to the server (mutual TLS); '' = none. */
  natsTlsCert: string;
  /** PEM private key of natsTlsCert. */
  natsTlsKey: string;
}

/** A NATS TLS file that is missing, unreadable or not what its field says; `field` names the setting. */
export class NatsTlsConfigError extends ConfigError {
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field, message);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

const FIELDS = {
  natsTlsCa: 'natsTlsCa (--nats-tls-ca)',
  natsTlsCert: 'natsTlsCert (--nats-tls-cert)',
  natsTlsKey: 'natsTlsKey (--nats-tls-key)',
} as const;

/**
 * The nats.js `tls` option for these settings, or undefined for a plaintext-capable link.
 * TLS is required (the client refuses a server without it) when a file is set or any URL
 * is `tls://` — nats.js itself ignores the scheme and only upgrades when the server asks.
 * Every file is read and parsed here, once, so a bad one stops the process at start naming
 * the field; nats.js is handed the paths and re-reads them on each (re)connect, so renewed
 * certificates (a rotated Secret) are picked up without a restart.
 * @throws NatsTlsConfigError naming the field and the path.
 */
export function natsTlsOptions(s: NatsTlsSettings): TlsOptions | undefined {
  if ((s.natsTlsCert === '') !== (s.natsTlsKey === '')) {
    throw new NatsTlsConfigError(`${FIELDS.natsTlsCert} and ${FIELDS.natsTlsKey}`, 'give both or neither');
  }
  const tlsUrl = s.natsUrl.split(',').some((u) => u.trim().startsWith('tls://'));
  if (s.natsTlsCa === '' && s.natsTlsCert === '' && !tlsUrl) return undefined;
  const tls: TlsOptions = {};
  if (s.natsTlsCa !== '') {
    certificate(s.natsTlsCa, FIELDS.natsTlsCa);
    tls.caFile = s.natsTlsCa;
  }
  if (s.natsTlsCert !== '') {
    const cert = certificate(s.natsTlsCert, FIELDS.natsTlsCert);
    const keyPem = read(s.natsTlsKey, FIELDS.natsTlsKey);
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(keyPem);
    } catch (err) {
      throw new NatsTlsConfigError(FIELDS.natsTlsKey, `${s.natsTlsKey} is not a PEM private key: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!cert.checkPrivateKey(key)) {
      throw new NatsTlsConfigError(FIELDS.natsTlsKey, `${s.natsTlsKey} is not the key of ${s.natsTlsCert}`);
    }
    tls.certFile = s.natsTlsCert;
    tls.keyFile = s.natsTlsKey;
  }
  return tls;
}

function read(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new NatsTlsConfigError(field, `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The first certificate of a PEM file (a CA bundle may hold more). */
function certificate(path: string, field: string): X509Certificate {
  const pem = read(path, field);
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new NatsTlsConfigError(field, `${path} is not a PEM certificate: ${(err as Error).message}`, { cause: err });
  }
}
