import { readFileSync } from 'node:fs';
import { type Clock, exponentialBackoff, type Logger, systemClock } from '@ballast/common';
import { inClusterEndpoint, KubeConfigError, type KubeEndpoint, kubeconfigEndpoint } from '../kube/kube-endpoint.ts';
import { KubeHttpClient, KubeHttpError } from '../kube/kube-http-client.ts';
import { type PodEntry, type PodMetadata, type PodMetadataSource, type PodShape, podEntry } from './pod-metadata.ts';

export { KubeConfigError } from '../kube/kube-endpoint.ts';

export interface KubePodMetadataOptions {
  /** This node's name: only pods with spec.nodeName equal to it are listed and watched. */
  node: string;
  /** A kubeconfig file; empty or absent means the in-cluster service account. */
  kubeconfigPath?: string;
  /** A ready endpoint, used instead of the two above (tests). */
  endpoint?: KubeEndpoint;
  log: Logger;
  clock?: Clock;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How long a deleted pod's names still answer, so its cgroup's last readings keep their labels (default 60 s). */
  retainDeletedMs?: number;
  /** Pods per list page (default 100), so a node of large pods is not parsed all at once. */
  pageSize?: number;
  /** Server-side lifetime of one watch (default 300 s); it is then resumed from the last resourceVersion. */
  watchTimeoutSeconds?: number;
}

export interface KubePodMetadataStats {
  pods: number;
  synced: boolean;
  lists: number;
  watchErrors: number;
}

interface PodList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: PodShape[];
}

/**
 * Pod names, namespaces, container names and owners for this node's pods, from a list and
 * watch of `/api/v1/pods?fieldSelector=spec.nodeName=<node>` over the agent's own small
 * HTTP client (kube-http-client.ts). The watch resumes from the last resourceVersion after an
 * error; a 410 (the version is too old) makes it list again. Start/Shutdown lifecycle;
 * shutdown is safe before start; it never throws once constructed.
 */
export class KubePodMetadata implements PodMetadataSource {
  private endpoint?: KubeEndpoint;
  private client?: KubeHttpClient;
  private readonly clock: Clock;
  private readonly live = new Map<string, PodEntry>();
  private readonly deleted = new Map<string, { entry: PodEntry; until: number }>();
  private resourceVersion = '';
  /** Set by an ERROR event with code 410: the next loop turn lists instead of resuming. */
  private expired = false;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private abort?: AbortController;
  private wake?: () => void;
  private lists = 0;
  private watchErrors = 0;
  private synced = false;
  /** Bumped by every change to what lookup() answers (see version). */
  private changes = 0;
  /** When the next deleted pod's names stop answering. */
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(private readonly options: KubePodMetadataOptions) {
    this.clock = options.clock ?? systemClock;
    this.endpoint = options.endpoint;
    // A kubeconfig that is not there is a start-up error named here; one that does not parse is named by start().
    if (!this.endpoint && options.kubeconfigPath) {
      try {
        readFileSync(options.kubeconfigPath);
      } catch (err) {
        throw new KubeConfigError(options.kubeconfigPath, err);
      }
    }
  }

  /**
   * Starts the list and watch; resolves after the first list answered or failed, so the first
   * cycle can have names. Reads the kubeconfig or service account first; throws
   * {@link KubeConfigError} when it cannot be used.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const path = this.options.kubeconfigPath;
    this.endpoint ??= path ? await kubeconfigEndpoint(path) : inClusterEndpoint();
    this.client = new KubeHttpClient(this.endpoint);
    this.running = true;
    let firstDone!: () => void;
    const first = new Promise<void>((r) => (firstDone = r));
    this.loop = this.run(firstDone);
    await first;
  }

  async shutdown(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    // A request still connecting cannot be aborted from here; do not let it hold up the agent's exit.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = this.clock.setTimeout(r, 2_000)))]);
    if (timer) this.clock.clearTimeout(timer);
    this.client?.close();
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

  /** Changes with every pod event that changes an answer, and when a deleted pod's names expire. */
  get version(): number {
    const now = this.clock.now();
    if (this.nextExpiry < now) {
      this.changes++;
      let next = Number.POSITIVE_INFINITY;
      for (const [k, d] of this.deleted) {
        if (d.until < now) this.deleted.delete(k);
        else if (d.until < next) next = d.until;
      }
      this.nextExpiry = next;
    }
    return this.changes;
  }

  stats(): KubePodMetadataStats {
    return { pods: this.live.size, synced: this.synced, lists: this.lists, watchErrors: this.watchErrors };
  }

  private async run(firstDone: () => void): Promise<void> {
    const selector = `fieldSelector=${encodeURIComponent(`spec.nodeName=${this.options.node}`)}`;
    let attempt = 0;
    while (this.running) {
      const started = this.clock.now();
      this.abort = new AbortController();
      try {
        if (!this.resourceVersion) {
          await this.list(selector, this.abort.signal);
          firstDone();
        }
        await this.watchOnce(selector, this.abort.signal);
      } catch (err) {
        firstDone();
        if (!this.running) break;
        // Expired: either the request itself answered 410, or an ERROR event said so and we
        // aborted the stream (the abort surfaces here as an AbortError). List again at once.
        if ((err instanceof KubeHttpError && err.status === 410) || this.expired) {
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

  /** Lists the node's pods page by page and replaces what is known; the watch resumes from the list's resourceVersion. */
  private async list(selector: string, signal: AbortSignal): Promise<void> {
    const client = this.client as KubeHttpClient;
    const limit = this.options.pageSize ?? 100;
    const pods: PodShape[] = [];
    let token = '';
    let version = '';
    do {
      const page = await client.getJson<PodList>(
        `/api/v1/pods?${selector}&limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        signal,
      );
      // Only what the mapping reads is kept from each page, so the parsed page can go.
      for (const p of page.items ?? []) pods.push(slim(p));
      token = page.metadata?.continue ?? '';
      version = page.metadata?.resourceVersion ?? version;
    } while (token);
    this.replaceAll(pods);
    this.resourceVersion = version;
    this.lists++;
    this.synced = true;
  }

  /** One watch from the current resourceVersion; resolves when the server ends it, rejects on error. */
  private watchOnce(selector: string, signal: AbortSignal): Promise<void> {
    // timeoutSeconds makes the server end the watch now and then; with bookmarks, a stream
    // silent for a minute past it is a dead connection.
    const timeout = this.options.watchTimeoutSeconds ?? 300;
    const path = `/api/v1/pods?${selector}&watch=1&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    return (this.client as KubeHttpClient).watch(path, (type, obj) => this.onEvent(type, obj), signal, (timeout + 60) * 1000);
  }

  private onEvent(type: string, obj: unknown): void {
    if (type === 'ERROR') {
      // A Status object; 410 means our resourceVersion is too old. End this watch so the loop lists again.
      if ((obj as { code?: number }).code === 410) this.expired = true;
      this.abort?.abort();
      return;
    }
    const pod = obj as PodShape & { metadata?: { resourceVersion?: string } };
    if (type === 'ADDED' || type === 'MODIFIED') this.upsert(pod);
    else if (type === 'DELETED' && pod.metadata?.uid) this.remove(pod.metadata.uid);
    if (pod.metadata?.resourceVersion) this.resourceVersion = pod.metadata.resourceVersion;
  }

  private upsert(pod: PodShape): void {
    const e = podEntry(pod);
    if (!e) return;
    this.live.set(e.uid, e);
    this.changes++;
  }

  private remove(uid: string): void {
    const e = this.live.get(uid);
    this.live.delete(uid);
    const now = this.clock.now();
    for (const [k, d] of this.deleted) if (d.until < now) this.deleted.delete(k);
    if (!e) return;
    const until = now + (this.options.retainDeletedMs ?? 60_000);
    this.deleted.set(uid, { entry: e, until });
    if (until < this.nextExpiry) this.nextExpiry = until;
    this.changes++;
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

/** The fields podEntry() reads, so a page's full pod objects (managedFields and all) are not kept. */
function slim(p: PodShape): PodShape {
  const m = p.metadata;
  const s = p.status;
  return {
    metadata: m && { uid: m.uid, name: m.name, namespace: m.namespace, labels: m.labels, ownerReferences: m.ownerReferences },
    status: s && {
      containerStatuses: s.containerStatuses,
      initContainerStatuses: s.initContainerStatuses,
      ephemeralContainerStatuses: s.ephemeralContainerStatuses,
    },
  };
}
