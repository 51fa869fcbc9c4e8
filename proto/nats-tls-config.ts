import { field } from '@ballast/common';

/**
 * TLS of a NATS connection, the same settings for the hub and for an agent on the NATS
 * transport (both spread these into their config). Files are checked at start
 * (natsTlsOptions), so a bad path stops the process naming the flag.
 */
export const NATS_TLS_CONFIG = {
  natsTlsCa: field({
    kind: 'string',
    flag: 'nats-tls-ca',
    env: ['BALLAST_NATS_TLS_CA'],
    default: '',
    help: "PEM CA bundle the NATS server's certificate must chain to (turns TLS on; as does a tls:// URL); empty: the system's CAs",
  }),
  natsTlsCert: field({
    kind: 'string',
    flag: 'nats-tls-cert',
    env: ['BALLAST_NATS_TLS_CERT'],
    default: '',
    help: 'PEM client certificate presented to the NATS server (mutual TLS; with --nats-tls-key); empty: none',
  }),
  natsTlsKey: field({
    kind: 'string',
    flag: 'nats-tls-key',
    env: ['BALLAST_NATS_TLS_KEY'],
    default: '',
    help: 'PEM private key of --nats-tls-cert',
  }),
};
