import { type Clock, exponentialBackoff } from '@ballast/common';
import { type CoreV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import { httpStatusOf, toClusterApiError } from './api-errors.ts';
import type { ClusterPod, PodWatch, PodWatchEvent, PodWatchOptions } from './cluster-types.ts';
import { toPod } from './object-mapping.ts';

export interface PodWatchDeps {
  kc: KubeConfig;
  core: CoreV1Api;
  clock: Clock;
  /** Server-side watch lifetime; a watch that ends is resumed from the last resourceVersion. */
  watchTimeoutSeconds: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

type WatchEnd = 'ended' | 'expired';

/**
 * An informer for one node's pods: list, then watch from the list's resourceVersion,
 * remembering what was delivered so a relist (after 410 Expired) can be turned into the
 * events a continuous watch would have produced.
 */
export function watchPodsOnNode(
  deps: PodWatchDeps,
  node: string,
  onEvent: (e: PodWatchEvent) => void,
  options: PodWatchOptions = {},
): PodWatch {
  const fieldSelector = `spec.nodeName=${node}`;
  const known = new Map<string, ClusterPod>();
  let running = true;
  let resourceVersion = '';
  let current: AbortController | undefined;
  let wake: (() => void) | undefined;
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));

  const emit = (e: PodWatchEvent) => {
    if (running) onEvent(e);
  };
  const keyOf = (p: ClusterPod) => `${p.namespace}/${p.name}`;

  function apply(type: string, raw: unknown): void {
    const pod = toPod(raw as Record<string, unknown>);
    if (pod.resourceVersion) resourceVersion = pod.resourceVersion;
    const key = keyOf(pod);
    if (type === 'DELETED') {
      known.delete(key);
      emit({ type: 'deleted', pod });
      return;
    }
    const had = known.has(key);
    known.set(key, pod);
    emit({ type: had ? 'modified' : 'added', pod });
  }

  function reconcile(items: ClusterPod[]): void {
    const seen = new Set<string>();
    for (const pod of items) {
      const key = keyOf(pod);
      seen.add(key);
      const prev = known.get(key);
      known.set(key, pod);
      if (prev && prev.uid !== pod.uid) emit({ type: 'deleted', pod: prev });
      if (!prev || prev.uid !== pod.uid) emit({ type: 'added', pod });
      else if (prev.resourceVersion !== pod.resourceVersion) emit({ type: 'modified', pod });
    }
    for (const [key, pod] of known) {
      if (seen.has(key)) continue;
      known.delete(key);
      emit({ type: 'deleted', pod });
    }
  }

  function watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve, reject) => {
      let expired = false;
      const query = { fieldSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: deps.watchTimeoutSeconds };
      const onLine = (type: string, obj: unknown) => {
        if (type === 'BOOKMARK') {
          const rv = (obj as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
        } else if (type === 'ERROR') {
          // A Status in the stream; 410 means our resourceVersion was compacted away.
          expired = (obj as { code?: number }).code === 410;
          current?.abort();
          if (!expired) reject(toClusterApiError(Object.assign(new Error('watch error'), { body: obj }), `watch pods on ${node}`));
        } else apply(type, obj);
      };
      const onDone = (err: unknown) => {
        if (expired) resolve('expired');
        else if (err && running) reject(err);
        else resolve('ended');
      };
      new Watch(deps.kc).watch('/api/v1/pods', query, onLine, onDone).then((ctrl) => {
        current = ctrl;
        if (!running) ctrl.abort();
      }, reject);
    });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const h = deps.clock.setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        deps.clock.clearTimeout(h);
        resolve();
      };
    });
  }

  async function loop(): Promise<void> {
    let attempt = 0;
    while (running) {
      const started = deps.clock.now();
      try {
        if (!resourceVersion) {
          const list = await deps.core.listPodForAllNamespaces({ fieldSelector });
          reconcile(list.items.map((p) => toPod(p)));
          resourceVersion = list.metadata?.resourceVersion ?? '';
          markSynced();
        }
        const end = await watchOnce();
        if (end === 'expired') {
          resourceVersion = '';
          continue;
        }
        // A server that closes every watch at once must not make this spin.
        if (deps.clock.now() - started < 1_000) await sleep(exponentialBackoff(attempt++, deps.backoffMinMs, deps.backoffMaxMs));
        else attempt = 0;
      } catch (err) {
        if (!running) break;
        if (httpStatusOf(err) === 410) resourceVersion = '';
        options.onError?.(toClusterApiError(err, `watch pods on ${node}`));
        await sleep(exponentialBackoff(attempt++, deps.backoffMinMs, deps.backoffMaxMs));
      }
    }
  }

  const done = loop();
  return {
    synced,
    async stop() {
      running = false;
      current?.abort();
      wake?.();
      await done;
    },
  };
}
