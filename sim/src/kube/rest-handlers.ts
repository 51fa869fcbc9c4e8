import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, invalid, methodNotAllowed, notFound } from './api-error.ts';
import { priorityOf } from './controllers/workload-util.ts';
import { type EvictionBody, evictPod } from './eviction.ts';
import { validateFields } from './field-schema.ts';
import { readJson, sendJson, sendRaw } from './http-io.ts';
import type { KubeCluster } from './kube-cluster.ts';
import { applyPatch } from './patch.ts';
import { apiVersionOf, qualifiedName, R, RESOURCES, type ResourceDef } from './resources.ts';
import { matchesFields, matchesRequirements, parseFieldSelector, parseLabelSelector, pinnedField } from './selectors.ts';
import { toTable, wantsTable } from './table.ts';
import type { KubeObject, Pod } from './types.ts';
import type { WatchHub } from './watch-hub.ts';

export interface ResourceRoute {
  r: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Generic REST verbs over the store; pods add graceful deletion and the eviction subresource. */
export class RestHandlers {
  constructor(
    private readonly cluster: KubeCluster,
    private readonly watches: WatchHub,
  ) {}

  async handle(route: ResourceRoute, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const { r, name, subresource } = route;
    const method = req.method ?? 'GET';
    if (r.namespaced && name && !route.namespace) throw notFound(qualifiedName(r), name);
    if (!name) {
      if (method === 'GET') return this.listOrWatch(route, req, res, query);
      if (method === 'POST') return this.create(route, req, res, query);
      throw methodNotAllowed();
    }
    if (subresource === 'eviction' && r === R.pods && method === 'POST') {
      const body = (await readJson(req)) as EvictionBody;
      evictPod(this.cluster, route.namespace as string, name, body ?? {}, query.get('dryRun') === 'All');
      return sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }
    if (subresource && !(subresource === 'status' && r.hasStatus)) throw notFound(qualifiedName(r), name);
    switch (method) {
      case 'GET':
        return this.get(route, req, res, query);
      case 'PUT': {
        const body = (await readJson(req)) as KubeObject;
        warn(res, validateFields(r, body, query.get('fieldValidation')));
        return this.write(route, res, body);
      }
      case 'PATCH': {
        const current = this.mustGet(route);
        const patch = await readJson(req);
        const contentType = req.headers['content-type'] ?? '';
        // A JSON patch is a list of operations, not a partial object: only the others are checked.
        if (!contentType.startsWith('application/json-patch+json')) warn(res, validateFields(r, patch, query.get('fieldValidation')));
        const patched = applyPatch(structuredClone(current) as Record<string, unknown>, patch, contentType) as KubeObject;
        if (!patched.metadata) throw badRequest('patch removed metadata');
        patched.metadata.resourceVersion ??= current.metadata.resourceVersion;
        return this.write(route, res, patched);
      }
      case 'DELETE':
        return this.remove(route, req, res, query);
      default:
        throw methodNotAllowed();
    }
  }

  private mustGet(route: ResourceRoute): KubeObject {
    const obj = this.cluster.store.get(route.r, route.namespace, route.name as string);
    if (!obj) throw notFound(qualifiedName(route.r), route.name as string);
    return obj;
  }

  private get(route: ResourceRoute, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const obj = this.mustGet(route);
    if (wantsTable(req.headers.accept)) {
      sendJson(
        res,
        200,
        toTable(route.r, [obj], obj.metadata.resourceVersion as string, this.cluster.clock.now(), query.get('includeObject')),
      );
      return;
    }
    sendRaw(res, 200, this.cluster.store.json(obj));
  }

  private listOrWatch(route: ResourceRoute, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const { store } = this.cluster;
    const { r, namespace } = route;
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'));
    const matches = (o: KubeObject) => matchesRequirements(labels, o.metadata.labels) && matchesFields(fields, o);
    const watch = query.get('watch');
    if (watch === 'true' || watch === '1') {
      const timeout = Number(query.get('timeoutSeconds') ?? 1800);
      const params = {
        resourceVersion: query.get('resourceVersion'),
        timeoutSeconds: timeout > 0 ? timeout : 1800,
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
      };
      this.watches.serve(r, { namespace, matches }, params, req, res);
      return;
    }
    const node = r === R.pods ? pinnedField(fields, 'spec.nodeName') : undefined;
    const source =
      node !== undefined
        ? store.byIndex(R.pods, 'node', node).filter((p) => namespace === undefined || p.metadata.namespace === namespace)
        : store.list(r, namespace);
    const items = source.filter(matches).sort(byNamespaceAndName);
    const rv = String(store.resourceVersion);
    if (wantsTable(req.headers.accept)) {
      sendJson(res, 200, toTable(r, items, rv, this.cluster.clock.now(), query.get('includeObject')));
      return;
    }
    // `limit` is honoured by returning everything with no `continue`, which the API allows.
    const head = `{"kind":"${r.kind}List","apiVersion":"${apiVersionOf(r)}","metadata":{"resourceVersion":"${rv}"},"items":[`;
    sendRaw(res, 200, `${head}${items.map((o) => store.json(o)).join(',')}]}`);
  }

  private async create(route: ResourceRoute, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const { store } = this.cluster;
    const { r, namespace } = route;
    const body = (await readJson(req)) as KubeObject | undefined;
    if (!body?.metadata) throw badRequest('the body must be an object with metadata');
    if (body.kind && body.kind !== r.kind)
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(r)}) or kind ${r.kind}`,
      );
    warn(res, validateFields(r, body, query.get('fieldValidation')));
    if (r.namespaced) {
      const ns = namespace ?? body.metadata.namespace ?? 'default';
      if (body.metadata.namespace && body.metadata.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      if (!store.get(R.namespaces, undefined, ns)) throw notFound('namespaces', ns);
      body.metadata.namespace = ns;
    }
    if (!body.metadata.name) {
      if (!body.metadata.generateName)
        throw invalid(qualifiedName(r), '', 'metadata.name: Required value: name or generateName is required');
      body.metadata.name = this.cluster.generateName(body.metadata.generateName);
    }
    if (r === R.pods) {
      defaultPod(body as Pod);
      const className = (body as Pod).spec.priorityClassName;
      const priority = priorityOf(this.cluster, className);
      if (className && priority === undefined)
        throw new ApiError(
          403,
          'Forbidden',
          `pods "${body.metadata.name}" is forbidden: no PriorityClass with name ${className} was found`,
        );
      if (priority !== undefined) (body as Pod).spec.priority = priority;
    }
    if (query.get('dryRun') === 'All') return sendJson(res, 201, body);
    const created = store.create(r, body);
    if (r === R.pods) this.cluster.stats.podsCreated += 1;
    sendRaw(res, 201, store.json(created));
  }

  /** PUT or the result of a PATCH: the main resource keeps its status, `/status` keeps its spec. */
  private write(route: ResourceRoute, res: ServerResponse, body: KubeObject): void {
    const { r, name } = route;
    if (!body?.metadata) throw badRequest('the body must be an object with metadata');
    if (body.metadata.name && body.metadata.name !== name)
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    const current = this.mustGet(route);
    const next: KubeObject = { ...body, metadata: { ...body.metadata, name, namespace: current.metadata.namespace } };
    if (route.subresource === 'status') {
      Object.assign(next, {
        ...current,
        metadata: { ...current.metadata, resourceVersion: body.metadata.resourceVersion },
        status: body.status,
      });
    } else if (r.hasStatus) {
      if (current.status === undefined) delete next.status;
      else next.status = current.status;
    }
    sendRaw(res, 200, this.cluster.store.json(this.cluster.store.replace(r, next)));
  }

  private async remove(route: ResourceRoute, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const { store } = this.cluster;
    const { r, namespace } = route;
    const name = route.name as string;
    const opts = ((await readJson(req)) ?? {}) as { gracePeriodSeconds?: number };
    const q = query.get('gracePeriodSeconds');
    const grace = q !== null ? Number(q) : opts.gracePeriodSeconds;
    this.mustGet(route);
    if (query.get('dryRun') === 'All') return sendRaw(res, 200, store.json(this.mustGet(route)));
    if (r === R.pods) return sendRaw(res, 200, store.json(this.cluster.deletePod(namespace as string, name, grace)));
    if (r === R.namespaces) {
      if (['default', 'kube-system', 'kube-public'].includes(name))
        throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      for (const nr of RESOURCES)
        if (nr.namespaced) for (const o of store.list(nr, name)) store.remove(nr, name, o.metadata.name as string);
    }
    sendRaw(res, 200, store.json(store.remove(r, namespace, name) as KubeObject));
  }
}

/** Unknown fields under `fieldValidation=Warn` go back as `Warning` headers, which kubectl prints. */
function warn(res: ServerResponse, problems: string[]): void {
  if (problems.length > 0)
    res.setHeader(
      'Warning',
      problems.map((p) => `299 - ${JSON.stringify(p)}`),
    );
}

function defaultPod(pod: Pod): void {
  pod.spec = pod.spec ?? { containers: [] };
  pod.spec.terminationGracePeriodSeconds ??= 30;
  pod.spec.schedulerName ??= 'default-scheduler';
  pod.spec.restartPolicy ??= 'Always';
  pod.status = { phase: 'Pending', conditions: [] };
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
