import type {
  ClusterApi,
  ClusterNode,
  ClusterPdb,
  ClusterPod,
  DeletePodOptions,
  EvictionResult,
  EvictOptions,
  NewEvent,
  ObjectRef,
  PodWatch,
  PodWatchEvent,
  PodWatchOptions,
  Taint,
} from '@ballast/kube';

/**
 * `load` run once, at the first call, its promise shared by every caller. A load that fails
 * (a broken kubeconfig) rejects the calls waiting on it and is run again by the next call.
 */
export function lazyLoader<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    if (!pending) {
      const p = load();
      pending = p;
      p.catch(() => {
        if (pending === p) pending = null;
      });
    }
    return pending;
  };
}

/**
 * A {@link ClusterApi} whose implementation is loaded at its first call. The agent's
 * implementation is `@ballast/kube` on `@kubernetes/client-node`, 20–40 MiB of resident
 * memory for a client a node needs only when it is cordoned or drained: loaded then (about
 * 0.2 s for the bundled agent), never on a node that is not.
 */
export class LazyClusterApi implements ClusterApi {
  private readonly get: () => Promise<ClusterApi>;
  private asked = false;

  constructor(load: () => Promise<ClusterApi>) {
    this.get = lazyLoader(() => {
      this.asked = true;
      return load();
    });
  }

  /** Whether the implementation has been asked for yet. */
  get loaded(): boolean {
    return this.asked;
  }

  getNode(name: string): Promise<ClusterNode> {
    return this.get().then((a) => a.getNode(name));
  }

  listNodes(labelSelector?: string): Promise<ClusterNode[]> {
    return this.get().then((a) => a.listNodes(labelSelector));
  }

  cordon(name: string): Promise<ClusterNode> {
    return this.get().then((a) => a.cordon(name));
  }

  uncordon(name: string): Promise<ClusterNode> {
    return this.get().then((a) => a.uncordon(name));
  }

  addTaint(name: string, taint: Taint): Promise<ClusterNode> {
    return this.get().then((a) => a.addTaint(name, taint));
  }

  removeTaint(name: string, key: string): Promise<ClusterNode> {
    return this.get().then((a) => a.removeTaint(name, key));
  }

  listPodsOnNode(node: string): Promise<ClusterPod[]> {
    return this.get().then((a) => a.listPodsOnNode(node));
  }

  evictPod(namespace: string, name: string, options?: EvictOptions): Promise<EvictionResult> {
    return this.get().then((a) => a.evictPod(namespace, name, options));
  }

  deletePod(namespace: string, name: string, graceSeconds: number, options?: DeletePodOptions): Promise<void> {
    return this.get().then((a) => a.deletePod(namespace, name, graceSeconds, options));
  }

  listPdbs(namespace?: string): Promise<ClusterPdb[]> {
    return this.get().then((a) => a.listPdbs(namespace));
  }

  createEvent(about: ObjectRef, event: NewEvent): Promise<void> {
    return this.get().then((a) => a.createEvent(about, event));
  }

  /** Starts the real watch once the implementation is loaded; stop() before then means it never starts. */
  watchPodsOnNode(node: string, onEvent: (event: PodWatchEvent) => void, options?: PodWatchOptions): PodWatch {
    let stopped = false;
    const inner = this.get().then((a) => (stopped ? null : a.watchPodsOnNode(node, onEvent, options)));
    return {
      synced: inner.then((w) => w?.synced),
      stop: async () => {
        stopped = true;
        const w = await inner.catch(() => null);
        await w?.stop();
      },
    };
  }
}
