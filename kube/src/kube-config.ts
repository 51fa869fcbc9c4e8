import {
  type CoreV1Api,
  createConfiguration,
  KubeConfig,
  type Middleware,
  type PolicyV1Api,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { ClusterApiError } from './cluster-api-error.ts';

/** Where the credentials come from: a kubeconfig file, the pod's service account, or YAML text (tests). */
export type KubeConfigSource = { file: string } | { inCluster: true } | { yaml: string };

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  const label = 'file' in source ? source.file : 'inCluster' in source ? 'the in-cluster service account' : 'a kubeconfig string';
  try {
    if ('file' in source) kc.loadFromFile(source.file);
    else if ('inCluster' in source) kc.loadFromCluster();
    else kc.loadFromString(source.yaml);
  } catch (err) {
    throw new ClusterApiError('invalid', `cannot load Kubernetes config from ${label}`, undefined, { cause: err });
  }
  if (!kc.getCurrentCluster()) throw new ClusterApiError('invalid', `Kubernetes config from ${label} has no current cluster`);
  return kc;
}

/**
 * Gives every request made through the client its own deadline. client-node has no timeout
 * of its own, and an API server that stops answering mid-drain must not hang the drain.
 */
function timeoutMiddleware(timeoutMs: number): Middleware {
  return {
    pre: async (ctx) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return ctx;
    },
    post: async (ctx) => ctx,
  };
}

type ApiClass<T> = new (config: ReturnType<typeof createConfiguration>) => T;

/** Like `KubeConfig.makeApiClient`, plus the per-request timeout. */
export function makeClient<T extends CoreV1Api | PolicyV1Api>(kc: KubeConfig, api: ApiClass<T>, timeoutMs: number): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterApiError('invalid', 'Kubernetes config has no current cluster');
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [timeoutMiddleware(timeoutMs)],
  });
  return new api(config);
}
