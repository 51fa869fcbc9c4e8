import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Clock } from '@ballast/common';
import { ClientNodeClusterApi, type ClusterApi } from '@ballast/kube';

/** One cluster the hub can reach: whose it is, and the kubeconfig that opens it. */
export interface ClusterEntry {
  clientId: string;
  clusterId: string;
  kubeconfig: string;
}

const KUBECONFIG_EXT = new Set(['.yaml', '.yml', '.kubeconfig', '.conf']);
const ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;

export class KubeconfigDirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeconfigDirectoryError';
  }
}

/**
 * Lists the clusters of a kubeconfig directory: `<cluster>.yaml` belongs to `defaultClient`,
 * `<client>/<cluster>.yaml` to that client. Files of other extensions and dot-files (a
 * mounted Secret's `..data` links) are ignored. An empty `dir` lists nothing.
 * @throws KubeconfigDirectoryError when the directory is missing or a name is not a valid id.
 */
export function listClusters(dir: string, defaultClient: string): ClusterEntry[] {
  if (dir === '') return [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new KubeconfigDirectoryError(`clusterKubeconfigDir (--cluster-kubeconfig-dir): ${dir} is not a directory`);
  }
  const out: ClusterEntry[] = [];
  const add = (clientId: string, file: string) => {
    const clusterId = basename(file, extname(file));
    if (!ID.test(clusterId)) {
      throw new KubeconfigDirectoryError(`clusterKubeconfigDir: "${clusterId}" (from ${file}) is not a valid cluster id`);
    }
    out.push({ clientId, clusterId, kubeconfig: file });
  };
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!ID.test(name)) throw new KubeconfigDirectoryError(`clusterKubeconfigDir: "${name}" is not a valid client id`);
      for (const inner of readdirSync(path).sort()) {
        if (!inner.startsWith('.') && KUBECONFIG_EXT.has(extname(inner)) && statSync(join(path, inner)).isFile())
          add(name, join(path, inner));
      }
    } else if (KUBECONFIG_EXT.has(extname(name))) add(defaultClient, path);
  }
  return out;
}

/**
 * The Kubernetes API of each listed cluster, opened on first use and kept. `access` answers
 * null for a cluster it has no kubeconfig for (switch jobs then drain through agents only).
 */
export class ClusterDirectory {
  private readonly apis = new Map<string, ClusterApi>();
  private readonly byKey: Map<string, ClusterEntry>;

  constructor(
    readonly entries: readonly ClusterEntry[],
    private readonly clock: Clock,
  ) {
    this.byKey = new Map(entries.map((e) => [key(e.clientId, e.clusterId), e]));
  }

  /** @throws ClusterApiError `invalid` when the cluster's kubeconfig cannot be loaded. */
  access = (clientId: string, clusterId: string): ClusterApi | null => {
    const k = key(clientId, clusterId);
    const entry = this.byKey.get(k);
    if (!entry) return null;
    let api = this.apis.get(k);
    if (!api) {
      api = new ClientNodeClusterApi({ kubeConfig: { file: entry.kubeconfig }, component: 'ballast-hub', clock: this.clock });
      this.apis.set(k, api);
    }
    return api;
  };
}

const key = (client: string, cluster: string) => `${client}\u0000${cluster}`;
