import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.ts';
import type { KubeCluster } from './kube-cluster.ts';
import type { StoreEvent, WatchEventType } from './object-store.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import type { KubeObject } from './types.ts';

export interface WatchFilter {
  namespace?: string;
  matches: (obj: KubeObject) => boolean;
}

export interface WatchParams {
  resourceVersion: string | null;
  timeoutSeconds: number;
  allowBookmarks: boolean;
}

export interface WatchHubOptions {
  /** Real ms between BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs?: number;
}

/**
 * Streams watch events as newline-delimited JSON, the way the apiserver does: a watch
 * without resourceVersion (or "0") first gets a synthetic ADDED per existing object; a
 * watch from a resourceVersion replays the history after it, or gets a 410 Expired ERROR
 * event and is closed when compaction has removed that history. Each event line is
 * rendered once and shared by every watcher that receives it; an object moving into or
 * out of a watcher's selector becomes ADDED or DELETED for that watcher.
 */
export class WatchHub {
  private readonly lines = new WeakMap<StoreEvent, Partial<Record<WatchEventType, string>>>();
  private readonly open = new Set<() => void>();
  private readonly bookmarkIntervalMs: number;

  constructor(
    private readonly cluster: KubeCluster,
    options: WatchHubOptions = {},
  ) {
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
  }

  serve(r: ResourceDef, filter: WatchFilter, params: WatchParams, req: IncomingMessage, res: ServerResponse): void {
    const { store, stats } = this.cluster;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    stats.watchesStarted += 1;
    stats.watchesOpen += 1;
    const timers: ReturnType<typeof setTimeout>[] = [];
    let unsubscribe = () => {};
    let offCompact = () => {};
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      stats.watchesOpen -= 1;
      unsubscribe();
      offCompact();
      for (const t of timers) clearTimeout(t);
      this.open.delete(close);
      res.end();
    };
    const expire = (message: string) => {
      stats.watchesExpired += 1;
      res.write(`{"type":"ERROR","object":${JSON.stringify(new ApiError(410, 'Expired', message).toStatus())}}\n`);
      close();
    };
    const visible = (o: KubeObject | undefined) =>
      o !== undefined && (filter.namespace === undefined || o.metadata.namespace === filter.namespace) && filter.matches(o);
    const deliver = (e: StoreEvent) => {
      const now = visible(e.object);
      const before = e.type !== 'ADDED' && visible(e.prev);
      let type: WatchEventType | null = null;
      if (e.type === 'DELETED') type = before || now ? 'DELETED' : null;
      else if (e.type === 'ADDED') type = now ? 'ADDED' : null;
      else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : null;
      if (type) res.write(this.line(e, type));
    };

    const rv = params.resourceVersion;
    if (!rv || rv === '0') {
      for (const o of store.list(r, filter.namespace)) if (visible(o)) res.write(`{"type":"ADDED","object":${store.json(o)}}\n`);
    } else {
      let backlog: StoreEvent[];
      try {
        backlog = store.eventsSince(r, Number(rv));
      } catch (err) {
        if (err instanceof ApiError && err.code === 410) {
          expire(err.message);
          return;
        }
        throw err;
      }
      for (const e of backlog) deliver(e);
    }
    unsubscribe = store.subscribe(r, deliver);
    offCompact = store.onCompact((at) => expire(`too old resource version: ${rv ?? '0'} (${at})`));
    this.open.add(close);
    const bookmark = () => {
      const obj = { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(store.resourceVersion) } };
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
    };
    if (params.allowBookmarks) {
      const tick = () => {
        bookmark();
        timers[0] = setTimeout(tick, this.bookmarkIntervalMs);
      };
      timers[0] = setTimeout(tick, this.bookmarkIntervalMs);
    }
    timers[1] = setTimeout(() => {
      if (params.allowBookmarks) bookmark();
      close();
    }, params.timeoutSeconds * 1000);
    req.on('close', close);
    res.on('close', close);
  }

  /** Ends every open watch (server shutdown). */
  closeAll(): void {
    for (const c of [...this.open]) c();
  }

  private line(e: StoreEvent, type: WatchEventType): string {
    let cached = this.lines.get(e);
    if (!cached) {
      cached = {};
      this.lines.set(e, cached);
    }
    let s = cached[type];
    if (s === undefined) {
      s = `{"type":"${type}","object":${this.cluster.store.json(e.object)}}\n`;
      cached[type] = s;
    }
    return s;
  }
}
