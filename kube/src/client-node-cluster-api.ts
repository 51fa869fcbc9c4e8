import { type Clock, systemClock } from '@ballast/common';
import { CoreV1Api, type KubeConfig, PatchStrategy, PolicyV1Api, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { evictionRefusal, toClusterApiError } from './api-errors.ts';
import type { ClusterApi } from './cluster-api.ts';
import { ClusterApiError } from './cluster-api-error.ts';
import type {
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
} from './cluster-types.ts';
import { type KubeConfigSource, loadKubeConfig, makeClient } from './kube-config.ts';
import { toNode, toPdb, toPod } from './object-mapping.ts';
import { watchPodsOnNode } from './pod-watch.ts';
import { type RawTaint, withoutTaint, withTaint } from './taints.ts';

export interface ClientNodeClusterApiOptions {
  /** A loaded KubeConfig, or where to load one from. */
  kubeConfig: KubeConfig | KubeConfigSource;
  /** Per-request timeout (default 10 s). Watches are bounded by `watchTimeoutSeconds` instead. */
  requestTimeoutMs?: number;
  /** Server-side lifetime of one watch request before it is resumed (default 300 s). */
  watchTimeoutSeconds?: number;
  /** `source.component` / `reportingComponent` of the Events this client records (default `ballast-agent`). */
  component?: string;
  /** `reportingInstance` / `source.host`, e.g. the node the agent runs on. */
  instance?: string;
  clock?: Clock;
  /** Attempts of a taint read-modify-write that races other writers (default 5). */
  conflictRetries?: number;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The ClusterApi on `@kubernetes/client-node` 1.x. */
export class ClientNodeClusterApi implements ClusterApi {
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly policy: PolicyV1Api;
  private readonly clock: Clock;
  private readonly component: string;
  private readonly instance: string | undefined;
  private readonly conflictRetries: number;
  private readonly watchTimeoutSeconds: number;

  constructor(options: ClientNodeClusterApiOptions) {
    const source = options.kubeConfig;
    this.kc = 'makeApiClient' in source ? source : loadKubeConfig(source);
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.core = makeClient(this.kc, CoreV1Api, timeoutMs);
    this.policy = makeClient(this.kc, PolicyV1Api, timeoutMs);
    this.clock = options.clock ?? systemClock;
    this.component = options.component ?? 'ballast-agent';
    this.instance = options.instance;
    this.conflictRetries = options.conflictRetries ?? 5;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
  }

  async getNode(name: string): Promise<ClusterNode> {
    return toNode(await this.call(`get node ${name}`, () => this.core.readNode({ name })));
  }

  async listNodes(labelSelector?: string): Promise<ClusterNode[]> {
    const list = await this.call('list nodes', () => this.core.listNode(labelSelector ? { labelSelector } : {}));
    return list.items.map((n) => toNode(n));
  }

  cordon(name: string): Promise<ClusterNode> {
    return this.patchNode(name, { spec: { unschedulable: true } });
  }

  uncordon(name: string): Promise<ClusterNode> {
    // null removes the field in a merge patch, leaving the node as if never cordoned.
    return this.patchNode(name, { spec: { unschedulable: null } });
  }

  addTaint(name: string, taint: Taint): Promise<ClusterNode> {
    return this.editTaints(name, (current) => withTaint(current, taint));
  }

  removeTaint(name: string, key: string): Promise<ClusterNode> {
    return this.editTaints(name, (current) => withoutTaint(current, key));
  }

  async listPodsOnNode(node: string): Promise<ClusterPod[]> {
    const fieldSelector = `spec.nodeName=${node}`;
    const list = await this.call(`list pods on ${node}`, () => this.core.listPodForAllNamespaces({ fieldSelector }));
    return list.items.map((p) => toPod(p));
  }

  async evictPod(namespace: string, name: string, options: EvictOptions = {}): Promise<EvictionResult> {
    const deleteOptions: { gracePeriodSeconds?: number; dryRun?: string[] } = {};
    if (options.gracePeriodSeconds !== undefined) deleteOptions.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.dryRun) deleteOptions.dryRun = ['All'];
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions };
    try {
      await this.core.createNamespacedPodEviction({ name, namespace, body, ...(options.dryRun ? { dryRun: 'All' } : {}) });
      return { outcome: 'evicted', message: options.dryRun ? 'eviction would be allowed' : 'eviction accepted' };
    } catch (err) {
      const refusal = evictionRefusal(err);
      if (refusal) return refusal;
      throw toClusterApiError(err, `evict pod ${namespace}/${name}`);
    }
  }

  async deletePod(namespace: string, name: string, graceSeconds: number, options: DeletePodOptions = {}): Promise<void> {
    const body = options.uid ? { gracePeriodSeconds: graceSeconds, preconditions: { uid: options.uid } } : undefined;
    await this.call(`delete pod ${namespace}/${name}`, () =>
      this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: graceSeconds, ...(body ? { body } : {}) }),
    );
  }

  async listPdbs(namespace?: string): Promise<ClusterPdb[]> {
    const list = await this.call(`list poddisruptionbudgets in ${namespace ?? 'all namespaces'}`, () =>
      namespace ? this.policy.listNamespacedPodDisruptionBudget({ namespace }) : this.policy.listPodDisruptionBudgetForAllNamespaces(),
    );
    return list.items.map((b) => toPdb(b));
  }

  async createEvent(about: ObjectRef, event: NewEvent): Promise<void> {
    const namespace = about.namespace ?? 'default';
    const now = new Date(this.clock.now());
    const involvedObject = { apiVersion: 'v1', kind: about.kind, name: about.name, ...(about.uid ? { uid: about.uid } : {}) };
    if (about.namespace) Object.assign(involvedObject, { namespace: about.namespace });
    const body = {
      metadata: { generateName: `${about.name}.`, namespace },
      involvedObject,
      reason: event.reason,
      message: event.message,
      type: event.type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component, ...(this.instance ? { host: this.instance } : {}) },
      reportingComponent: this.component,
      reportingInstance: this.instance ?? this.component,
    };
    await this.call(`create event ${event.reason} on ${about.kind} ${about.name}`, () =>
      this.core.createNamespacedEvent({ namespace, body }),
    );
  }

  watchPodsOnNode(node: string, onEvent: (event: PodWatchEvent) => void, options?: PodWatchOptions): PodWatch {
    const deps = {
      kc: this.kc,
      core: this.core,
      clock: this.clock,
      watchTimeoutSeconds: this.watchTimeoutSeconds,
      backoffMinMs: 250,
      backoffMaxMs: 10_000,
    };
    return watchPodsOnNode(deps, node, onEvent, options);
  }

  private async patchNode(name: string, patch: object): Promise<ClusterNode> {
    return toNode(await this.call(`patch node ${name}`, () => this.core.patchNode({ name, body: patch }, MERGE_PATCH)));
  }

  /**
   * Read, edit, write with the read resourceVersion in the patch: the API server answers 409
   * if the node changed in between, and we edit the fresh list instead of overwriting it.
   */
  private async editTaints(name: string, edit: (current: RawTaint[]) => RawTaint[] | undefined): Promise<ClusterNode> {
    let lastConflict: ClusterApiError | undefined;
    for (let attempt = 0; attempt < this.conflictRetries; attempt++) {
      const node: V1Node = await this.call(`get node ${name}`, () => this.core.readNode({ name }));
      const next = edit((node.spec?.taints ?? []) as RawTaint[]);
      if (!next) return toNode(node);
      const patch = { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: next.length ? next : null } };
      try {
        return await this.patchNode(name, patch);
      } catch (err) {
        if (!(err instanceof ClusterApiError && err.kind === 'conflict')) throw err;
        lastConflict = err;
      }
    }
    throw lastConflict ?? new ClusterApiError('conflict', `patch node ${name}: taints kept changing`);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toClusterApiError(err, what);
    }
  }
}
