import { readFileSync } from 'node:fs';
import { type Clock, exponentialBackoff, type Logger, systemClock } from '@ballast/common';
import type { KubeConfig, Watch } from '@kubernetes/client-node';
import { type PodEntry, type PodMetadata, type PodMetadataSource, type PodShape, podEntry } from './pod-metadata.ts';

export interface KubePodMetadataOptions {
  /** This node's name: only pods with spec.nodeName equal to it are listed and watched. */
  node: string;
  /** A kubeconfig file; empty or absent means the in-cluster service account. */
  kubeconfigPath?: string;
  /** A ready KubeConfig, used instead of the two above (tests). */
  kubeConfig?: KubeConfig;
  log: Logger;
  clock?: Clock;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How long a deleted pod's names still answer, so its cgroup's last readings keep their labels (default 60 s). */
  retainDeletedMs?: number;
}

export interface KubePodMetadataStats {
  pods: number;
  synced: boolean;
  lists: number;
  watchErrors: number;
}

/** The kubeconfig could not be loaded; a start-up error that names its source. */
export class KubeConfigError extends Error {
  constructor(source: string, cause: unknown) {
    super(`cannot load Kubernetes config from ${source}`, { cause });
    this.name = 'KubeConfigError';
  }
}

/**
 * Pod names, namespaces, container names and owners for this node's pods, from a list and
 * watch of `/api/v1/pods?fieldSelector=spec.nodeName=<node>`. The watch resumes from the
 * last resourceVersion after an error; a 410 (the version is too old) makes it list again.
 * Start/Shutdown lifecycle; shutdown is safe before start; it never throws once constructed.
 */
export class KubePodMetadata implements PodMetadataSource {
  /** Loaded in start(): the Kubernetes client is imported only by an agent that watches pods. */
  private kc?: KubeConfig;
  private client?: typeof import('@kubernetes/client-node');
  private readonly clock: Clock;
  private readonly live = new Map<string, PodEntry>();
  private readonly deleted = new Map<string, { entry: PodEntry; until: number }>();
  private resourceVersion = '';
  /** Set by an ERROR event with code 410: the next loop turn lists instead of resuming. */
  private expired = false;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private watch?: AbortController;
  private watcher?: Watch;
  private wake?: () => void;
  private lists = 0;
  private watchErrors = 0;
  private synced = false;

  constructor(private readonly options: KubePodMetadataOptions) {
    this.clock = options.clock ?? systemClock;
    this.kc = options.kubeConfig;
    // A kubeconfig that is not there is a start-up error named here; one that does not parse is named by start().
    if (!this.kc && options.kubeconfigPath) {
      try {
        readFileSync(options.kubeconfigPath);
      } catch (err) {
        throw new KubeConfigError(options.kubeconfigPath, err);
      }
    }
  }

  /**
   * Starts the list and watch; resolves after the first list answered or failed, so the first
   * cycle can have names. Loads the Kubernetes client (about 1 MB of code the agent does not
   * need otherwise) and the kubeconfig first; throws {@link KubeConfigError} when it cannot be loaded.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.client ??= await import('@kubernetes/client-node');
    if (!this.kc) {
      const kc = new this.client.KubeConfig();
      const path = this.options.kubeconfigPath;
      try {
        if (path) kc.loadFromFile(path);
        else kc.loadFromCluster();
      } catch (err) {
        throw new KubeConfigError(path || 'the in-cluster service account', err);
      }
      this.kc = kc;
    }
    this.running = true;
    let firstDone!: () => void;
    const first = new Promise<void>((r) => (firstDone = r));
    this.loop = this.run(firstDone);
    await first;
  }

  async shutdown(): Promise<void> {
    this.running = false;
    this.watch?.abort();
    this.wake?.();
    // A request still connecting cannot be aborted from here; do not let it hold up the agent's exit.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = this.clock.setTimeout(r, 2_000)))]);
    if (timer) this.clock.clearTimeout(timer);
  }

  lookup(podUid: string, containerId: string): PodMetadata | undefined {
    let e = this.live.get(podUid);
    if (!e) {
      const d = this.deleted.get(podUid);
      if (!d || d.until < this.clock.now()) return undefined;
      e = d.entry;
    }
    return e.containers.get(containerId) ?? e.pod;
  }

  stats(): KubePodMetadataStats {
    return { pods: this.live.size, synced: this.synced, lists: this.lists, watchErrors: this.watchErrors };
  }

  private async run(firstDone: () => void): Promise<void> {
    const fieldSelector = `spec.nodeName=${this.options.node}`;
    const { CoreV1Api } = this.client as typeof import('@kubernetes/client-node');
    const api = (this.kc as KubeConfig).makeApiClient(CoreV1Api);
    let attempt = 0;
    while (this.running) {
      const started = this.clock.now();
      try {
        if (!this.resourceVersion) {
          const list = await api.listPodForAllNamespaces({ fieldSelector });
          this.replaceAll(list.items);
          this.resourceVersion = list.metadata?.resourceVersion ?? '';
          this.lists++;
          this.synced = true;
          firstDone();
        }
        await this.watchOnce(fieldSelector);
      } catch (err) {
        firstDone();
        if (!this.running) break;
        // Expired: either the watch request itself answered 410, or an ERROR event said so and
        // we aborted the stream (the abort surfaces here as an AbortError). List again at once.
        if (statusOf(err) === 410 || this.expired) {
          this.resourceVersion = '';
          this.expired = false;
          continue;
        }
        this.watchErrors++;
        this.options.log.warn('pod watch failed; retrying', { err, attempt });
        await this.sleep(exponentialBackoff(attempt++, this.options.reconnectMinMs ?? 500, this.options.reconnectMaxMs ?? 30_000));
        continue;
      }
      // A watch the server closes at once, again and again, must not spin (a relist after 410 is not that).
      if (this.expired) {
        this.resourceVersion = '';
        this.expired = false;
      } else if (this.clock.now() - started < 1_000) await this.sleep(exponentialBackoff(attempt++, 500, 5_000));
      else attempt = 0;
    }
    firstDone();
  }

  /** One watch from the current resourceVersion; resolves when the server ends it, rejects on error. */
  private async watchOnce(fieldSelector: string): Promise<void> {
    let ended!: (err: unknown) => void;
    const done = new Promise<void>((resolve, reject) => (ended = (err) => (err ? reject(err) : resolve())));
    // timeoutSeconds makes the server end the watch now and then, so a connection that died
    // silently (no RST through a NAT) cannot leave the names stale for long.
    const query = { fieldSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 };
    this.watcher ??= new (this.client as typeof import('@kubernetes/client-node')).Watch(this.kc as KubeConfig);
    this.watch = await this.watcher.watch('/api/v1/pods', query, (type, obj) => this.onEvent(type, obj), ended);
    if (!this.running) this.watch.abort();
    return done;
  }

  private onEvent(type: string, obj: unknown): void {
    if (type === 'ERROR') {
      // A Status object; 410 means our resourceVersion is too old. End this watch so the loop lists again.
      if ((obj as { code?: number }).code === 410) this.expired = true;
      this.watch?.abort();
      return;
    }
    const pod = obj as PodShape & { metadata?: { resourceVersion?: string } };
    if (type === 'ADDED' || type === 'MODIFIED') this.upsert(pod);
    else if (type === 'DELETED' && pod.metadata?.uid) this.remove(pod.metadata.uid);
    if (pod.metadata?.resourceVersion) this.resourceVersion = pod.metadata.resourceVersion;
  }

  private upsert(pod: PodShape): void {
    const e = podEntry(pod);
    if (e) this.live.set(e.uid, e);
  }

  private remove(uid: string): void {
    const e = this.live.get(uid);
    this.live.delete(uid);
    const now = this.clock.now();
    for (const [k, d] of this.deleted) if (d.until < now) this.deleted.delete(k);
    if (e) this.deleted.set(uid, { entry: e, until: now + (this.options.retainDeletedMs ?? 60_000) });
  }

  private replaceAll(pods: PodShape[]): void {
    const keep = new Set<string>();
    for (const p of pods) {
      this.upsert(p);
      if (p.metadata?.uid) keep.add(p.metadata.uid);
    }
    for (const uid of [...this.live.keys()]) if (!keep.has(uid)) this.remove(uid);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.clock.clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/** HTTP status of a client-node error: ApiException has `code`, a failed watch has `statusCode`. */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  return typeof e.code === 'number' ? e.code : undefined;
}
