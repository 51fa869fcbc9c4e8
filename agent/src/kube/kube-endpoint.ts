import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * Where the agent's own Kubernetes requests go and how they authenticate: the API server's
 * URL, TLS material, and an Authorization header. Built from the pod's service account (the
 * DaemonSet) or a kubeconfig (tests, the simulator, running outside a cluster).
 */
export interface KubeEndpoint {
  /** `https://host:port`, or `http://…` (the simulator). */
  server: URL;
  /** Where it came from, for messages: a kubeconfig path or "the in-cluster service account". */
  source: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /**
   * The Authorization header for the next request, if any. A token file is read on every
   * call: projected service-account tokens are rotated by the kubelet (about hourly), and
   * the agent asks for one only per list or watch, minutes apart.
   */
  authorization(): string | undefined;
}

/** The kubeconfig or service account could not be used; a start-up error that names its source. */
export class KubeConfigError extends Error {
  constructor(source: string, cause: unknown) {
    super(`cannot load Kubernetes config from ${source}${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause });
    this.name = 'KubeConfigError';
  }
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The pod's service account, as client-go's rest.InClusterConfig finds it. */
export function inClusterEndpoint(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeEndpoint {
  const source = 'the in-cluster service account';
  try {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!host || !port) throw new Error('KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
    const tokenFile = join(dir, 'token');
    // Read once now so a missing token is a start-up error, not a 401 loop later.
    readFileSync(tokenFile, 'utf8');
    return {
      server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
      source,
      ca: readFileSync(join(dir, 'ca.crt')),
      authorization: () => bearer(readFileSync(tokenFile, 'utf8')),
    };
  } catch (err) {
    throw new KubeConfigError(source, err);
  }
}

interface NamedEntry<T> {
  name?: string;
  cluster?: T;
  user?: T;
  context?: T;
}
type Section = Record<string, unknown>;

/**
 * The current context of a kubeconfig file. Supports what a cluster admin hands a node
 * process: a server with a CA (file or data) or insecure-skip-tls-verify, and a bearer token
 * (inline or file), client certificate, or basic auth. Exec plugins and auth providers are
 * refused by name: they run other programs (aws, gcloud), which the agent's image does not carry.
 */
export async function kubeconfigEndpoint(path: string): Promise<KubeEndpoint> {
  try {
    // YAML only for a kubeconfig: the in-cluster agent never loads the parser.
    const { load } = await import('js-yaml');
    const doc = load(readFileSync(path, 'utf8')) as Section | null;
    if (!doc || typeof doc !== 'object') throw new Error('not a kubeconfig');
    const base = dirname(path);
    const current = String(doc['current-context'] ?? '');
    const context = pick(doc, 'contexts', 'context', current);
    const cluster = pick(doc, 'clusters', 'cluster', String(context.cluster ?? ''));
    const user = context.user ? pick(doc, 'users', 'user', String(context.user)) : {};
    if (user.exec || user['auth-provider'])
      throw new Error(
        `user "${context.user}" authenticates with ${user.exec ? 'an exec plugin' : 'an auth provider'}, which the agent does not run`,
      );
    const server = new URL(String(cluster.server ?? ''));
    const token = user.token ? String(user.token) : undefined;
    const tokenFile = user.tokenFile ? resolve(base, String(user.tokenFile)) : undefined;
    const basic = user.username ? Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64') : undefined;
    return {
      server,
      source: path,
      ca: material(base, cluster, 'certificate-authority'),
      cert: material(base, user, 'client-certificate'),
      key: material(base, user, 'client-key'),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
      tlsServerName: cluster['tls-server-name'] ? String(cluster['tls-server-name']) : undefined,
      authorization: () =>
        token ? bearer(token) : tokenFile ? bearer(readFileSync(tokenFile, 'utf8')) : basic ? `Basic ${basic}` : undefined,
    };
  } catch (err) {
    throw new KubeConfigError(path, err);
  }
}

/** The named entry's inner section (`clusters[name].cluster`), or the only entry when no name is current. */
function pick(doc: Section, list: string, key: 'cluster' | 'user' | 'context', name: string): Section {
  const entries = (Array.isArray(doc[list]) ? doc[list] : []) as NamedEntry<Section>[];
  const entry = name ? entries.find((e) => e.name === name) : entries.length === 1 ? entries[0] : undefined;
  const inner = entry?.[key];
  if (!inner || typeof inner !== 'object') throw new Error(name ? `no ${key} named "${name}"` : `no current ${key}`);
  return inner;
}

/** `<field>-data` (base64) or `<field>` (a path relative to the kubeconfig). */
function material(base: string, section: Section, field: string): Buffer | undefined {
  const data = section[`${field}-data`];
  if (data) return Buffer.from(String(data), 'base64');
  const file = section[field];
  return file ? readFileSync(resolve(base, String(file))) : undefined;
}

function resolve(base: string, path: string): string {
  return isAbsolute(path) ? path : join(base, path);
}

function bearer(token: string): string | undefined {
  const t = token.trim();
  return t ? `Bearer ${t}` : undefined;
}
