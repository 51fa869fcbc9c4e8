import type { Clock } from '@ballast/common';
import { alreadyExists, conflict, expired, notFound } from './api-error.ts';
import { qualifiedName, RESOURCES, type ResourceDef } from './resources.ts';
import type { KubeObject } from './types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change. `prev` lets a filtered watch turn a MODIFIED into ADDED/DELETED when the object crosses its selector. */
export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceDef;
  object: KubeObject;
  prev: KubeObject | undefined;
  rv: number;
}

export type StoreListener = (event: StoreEvent) => void;
export type IndexFn = (obj: KubeObject) => readonly string[];

interface KindState {
  /** namespace ('' for cluster-scoped) → name → object. */
  byNamespace: Map<string, Map<string, KubeObject>>;
  count: number;
  history: StoreEvent[];
  /** Events at or below this resourceVersion may be gone; watching from below it is 410 Gone. */
  compactedRv: number;
  listeners: Set<StoreListener>;
  indexes: Map<string, { fn: IndexFn; map: Map<string, Set<KubeObject>> }>;
}

export interface ObjectStoreOptions {
  /** Events kept per resource for watches that resume from a resourceVersion. */
  historyLimit?: number;
  /** Source of uids; deterministic in tests. */
  newUid?: () => string;
}

/**
 * All API objects of one cluster, with one global, monotonically increasing
 * resourceVersion as etcd's revision. Stored objects are immutable snapshots: every write
 * replaces the object, so a list, a watch event and the history can share them, and each
 * snapshot's JSON is rendered at most once (`json`) however many watchers receive it.
 */
export class ObjectStore {
  private rv = 1;
  private readonly kinds = new Map<ResourceDef, KindState>();
  private readonly jsonCache = new WeakMap<KubeObject, string>();
  private readonly historyLimit: number;
  private readonly newUid: () => string;
  private uidCounter = 0;

  constructor(
    private readonly clock: Clock,
    options: ObjectStoreOptions = {},
  ) {
    this.historyLimit = options.historyLimit ?? 20_000;
    this.newUid = options.newUid ?? (() => this.sequentialUid());
    for (const r of RESOURCES) {
      this.kinds.set(r, { byNamespace: new Map(), count: 0, history: [], compactedRv: 0, listeners: new Set(), indexes: new Map() });
    }
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.state(r).byNamespace.get(nsKey(r, namespace))?.get(name);
  }

  /** Every object of the resource, or of one namespace. */
  list(r: ResourceDef, namespace?: string): KubeObject[] {
    const s = this.state(r);
    if (namespace !== undefined && r.namespaced) return [...(s.byNamespace.get(namespace)?.values() ?? [])];
    const all: KubeObject[] = [];
    for (const m of s.byNamespace.values()) for (const o of m.values()) all.push(o);
    return all;
  }

  count(r: ResourceDef): number {
    return this.state(r).count;
  }

  /** Adds a secondary index (e.g. pods by node name, anything by owner uid). */
  addIndex(r: ResourceDef, name: string, fn: IndexFn): void {
    const s = this.state(r);
    const map = new Map<string, Set<KubeObject>>();
    s.indexes.set(name, { fn, map });
    for (const o of this.list(r)) for (const k of fn(o)) addTo(map, k, o);
  }

  byIndex(r: ResourceDef, name: string, key: string): KubeObject[] {
    const idx = this.state(r).indexes.get(name);
    if (!idx) throw new Error(`no index ${name} on ${r.plural}`);
    return [...(idx.map.get(key) ?? [])];
  }

  /** Stores a new object, filling uid, resourceVersion, creationTimestamp and generation. */
  create(r: ResourceDef, input: KubeObject): KubeObject {
    const name = input.metadata.name;
    if (!name) throw new Error('create: metadata.name is required');
    const ns = nsKey(r, input.metadata.namespace);
    if (this.get(r, ns, name)) throw alreadyExists(qualifiedName(r), name);
    const obj = structuredClone(input);
    obj.apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    obj.kind = r.kind;
    const meta = obj.metadata;
    if (r.namespaced) meta.namespace = ns;
    else delete meta.namespace;
    meta.uid = this.newUid();
    meta.creationTimestamp = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // Only workload and policy objects carry a generation (pods, nodes and leases do not).
    if ('spec' in obj && (r.group === 'apps' || r.group === 'policy')) meta.generation = 1;
    else delete meta.generation;
    delete meta.deletionTimestamp;
    return this.commit(r, 'ADDED', obj, undefined);
  }

  /**
   * Replaces an object. A non-empty `metadata.resourceVersion` must match the stored one
   * (optimistic concurrency, as leader election relies on); generation moves when spec does.
   */
  replace(r: ResourceDef, input: KubeObject, internal = false): KubeObject {
    const name = input.metadata.name ?? '';
    const prev = this.get(r, input.metadata.namespace, name);
    if (!prev) throw notFound(qualifiedName(r), name);
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== prev.metadata.resourceVersion) throw conflict(qualifiedName(r), name);
    // `mutate` hands over a private draft already; a client's body is copied.
    const obj = internal ? input : structuredClone(input);
    obj.apiVersion = prev.apiVersion;
    obj.kind = prev.kind;
    // Clients cannot set these; the control plane (`internal`) may start a graceful deletion.
    const keep = internal
      ? (['uid', 'creationTimestamp', 'namespace'] as const)
      : (['uid', 'creationTimestamp', 'namespace', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const);
    for (const k of keep) {
      if (prev.metadata[k] === undefined) delete obj.metadata[k];
      else (obj.metadata as Record<string, unknown>)[k] = prev.metadata[k];
    }
    if (prev.metadata.generation !== undefined) {
      const specChanged = JSON.stringify(prev.spec) !== JSON.stringify(obj.spec);
      obj.metadata.generation = prev.metadata.generation + (specChanged ? 1 : 0);
    }
    return this.commit(r, 'MODIFIED', obj, prev);
  }

  /** Read-modify-write of the current object; `fn` edits a private copy. Returns undefined if absent. */
  mutate<T extends KubeObject>(r: ResourceDef, namespace: string | undefined, name: string, fn: (draft: T) => void): T | undefined {
    const prev = this.get(r, namespace, name);
    if (!prev) return undefined;
    const draft = structuredClone(prev) as T;
    fn(draft);
    draft.metadata.resourceVersion = prev.metadata.resourceVersion;
    return this.replace(r, draft, true) as T;
  }

  remove(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const prev = this.get(r, namespace, name);
    if (!prev) return undefined;
    // A DELETED event carries the object at a new resourceVersion, as the apiserver sends it.
    const obj = { ...prev, metadata: { ...prev.metadata } };
    return this.commit(r, 'DELETED', obj, prev);
  }

  /** The object's JSON, rendered once per snapshot. */
  json(obj: KubeObject): string {
    let s = this.jsonCache.get(obj);
    if (s === undefined) {
      s = JSON.stringify(obj);
      this.jsonCache.set(obj, s);
    }
    return s;
  }

  /** Listens to every later change of the resource. */
  subscribe(r: ResourceDef, listener: StoreListener): () => void {
    const s = this.state(r);
    s.listeners.add(listener);
    return () => s.listeners.delete(listener);
  }

  /**
   * The events after `fromRv`, for a watch resuming there. Throws 410 Expired when history
   * no longer reaches back that far, with Kubernetes' wording.
   */
  eventsSince(r: ResourceDef, fromRv: number): StoreEvent[] {
    const s = this.state(r);
    if (fromRv < s.compactedRv) throw expired(`too old resource version: ${fromRv} (${s.compactedRv})`);
    const h = s.history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((h[mid] as StoreEvent).rv <= fromRv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  /**
   * Drops all watch history (as etcd compaction does), so any watch resuming from an
   * older resourceVersion gets 410 Gone. Listeners registered with `onCompact` are told,
   * so open watches can be expired too.
   */
  compact(): void {
    for (const s of this.kinds.values()) {
      s.history = [];
      s.compactedRv = this.rv;
    }
    for (const fn of this.compactListeners) fn(this.rv);
  }

  private readonly compactListeners = new Set<(rv: number) => void>();

  onCompact(fn: (rv: number) => void): () => void {
    this.compactListeners.add(fn);
    return () => this.compactListeners.delete(fn);
  }

  private commit(r: ResourceDef, type: WatchEventType, obj: KubeObject, prev: KubeObject | undefined): KubeObject {
    const s = this.state(r);
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const ns = nsKey(r, obj.metadata.namespace);
    const name = obj.metadata.name as string;
    let names = s.byNamespace.get(ns);
    if (!names) {
      names = new Map();
      s.byNamespace.set(ns, names);
    }
    if (type === 'DELETED') {
      names.delete(name);
      if (names.size === 0) s.byNamespace.delete(ns);
      s.count -= 1;
    } else {
      names.set(name, obj);
      if (!prev) s.count += 1;
    }
    for (const { fn, map } of s.indexes.values()) {
      if (prev) for (const k of fn(prev)) removeFrom(map, k, prev);
      if (type !== 'DELETED') for (const k of fn(obj)) addTo(map, k, obj);
    }
    const event: StoreEvent = { type, resource: r, object: obj, prev, rv: this.rv };
    s.history.push(event);
    if (s.history.length > this.historyLimit * 1.25) {
      // Trim in batches so the cost per write stays O(1) amortised.
      const drop = s.history.length - this.historyLimit;
      s.compactedRv = (s.history[drop - 1] as StoreEvent).rv;
      s.history = s.history.slice(drop);
    }
    for (const l of [...s.listeners]) l(event);
    return obj;
  }

  private state(r: ResourceDef): KindState {
    const s = this.kinds.get(r);
    if (!s) throw new Error(`unknown resource ${r.plural}`);
    return s;
  }

  private sequentialUid(): string {
    this.uidCounter += 1;
    const hex = this.uidCounter.toString(16).padStart(12, '0');
    return `5ba11a57-0000-4000-8000-${hex}`;
  }
}

function nsKey(r: ResourceDef, namespace: string | undefined): string {
  return r.namespaced ? (namespace ?? 'default') : '';
}

function addTo(map: Map<string, Set<KubeObject>>, key: string, obj: KubeObject): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(obj);
}

function removeFrom(map: Map<string, Set<KubeObject>>, key: string, obj: KubeObject): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(obj);
  if (set.size === 0) map.delete(key);
}
