import { ApiError, badRequest } from './api-error.ts';

/**
 * The three PATCH flavours clients send: JSON merge patch (RFC 7386), Kubernetes'
 * strategic merge patch (kubectl's default), and JSON patch (RFC 6902, client-node's
 * default). Server-side apply is not served (415), which kubectl only uses when asked.
 */
type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export function applyPatch(target: JsonObject, patch: Json, contentType: string): JsonObject {
  const type = contentType.split(';')[0]?.trim();
  switch (type) {
    case 'application/merge-patch+json':
      return mergePatch(target, patch) as JsonObject;
    case 'application/strategic-merge-patch+json':
      return strategicMerge(target, patch, '') as JsonObject;
    case 'application/json-patch+json':
      return jsonPatch(target, patch);
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
      );
  }
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Lists Kubernetes merges by a key instead of replacing (from the API types' patchMergeKey
 * tags). Lists not named here are replaced whole, as for taints and tolerations.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  conditions: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  addresses: 'type',
};

function strategicMerge(target: Json, patch: Json, field: string): Json {
  if (!isObject(patch)) {
    if (Array.isArray(patch)) return mergeList(target, patch, field);
    return structuredClone(patch);
  }
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const list = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[list];
      if (Array.isArray(cur) && Array.isArray(v)) out[list] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else {
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}

function mergeList(target: Json, patch: Json[], field: string): Json {
  const key = MERGE_KEYS[field];
  if (!key || !Array.isArray(target)) return patch.filter((p) => !(isObject(p) && p.$patch === 'delete')).map(stripDirectives);
  const out = [...target];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const i = out.findIndex((t) => isObject(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMerge(out[i], item, '');
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: Json;
  from?: string;
}

export function jsonPatch(target: JsonObject, ops: Json): JsonObject {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc: Json = structuredClone(target);
  for (const op of ops as JsonPatchOp[]) {
    switch (op.op) {
      case 'add':
        doc = setAt(doc, op.path, structuredClone(op.value), 'add');
        break;
      case 'replace':
        doc = setAt(doc, op.path, structuredClone(op.value), 'replace');
        break;
      case 'remove':
        doc = setAt(doc, op.path, undefined, 'remove');
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value))
          throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: test failed at ${op.path}`);
        break;
      case 'copy':
      case 'move': {
        const value = structuredClone(getAt(doc, op.from ?? ''));
        if (op.op === 'move') doc = setAt(doc, op.from ?? '', undefined, 'remove');
        doc = setAt(doc, op.path, value, 'add');
        break;
      }
      default:
        throw badRequest(`unknown json patch op ${(op as { op: string }).op}`);
    }
  }
  if (!isObject(doc)) throw badRequest('json patch produced a non-object');
  return doc;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid json pointer ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const k of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(k)];
    else if (isObject(cur)) cur = cur[k];
    else throw new ApiError(422, 'Invalid', `path ${path} not found`);
  }
  return cur;
}

function setAt(doc: Json, path: string, value: Json, mode: 'add' | 'replace' | 'remove'): Json {
  const keys = pointer(path);
  if (keys.length === 0) return value;
  const last = keys.pop() as string;
  const parent = getAt(doc, keys.length ? `/${keys.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}` : '');
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (mode === 'add') parent.splice(i, 0, value);
    else if (mode === 'replace') parent[i] = value;
    else parent.splice(i, 1);
  } else if (isObject(parent)) {
    if (mode !== 'add' && !(last in parent))
      throw new ApiError(422, 'Invalid', `the server rejected our request: path ${path} does not exist`);
    if (mode === 'remove') delete parent[last];
    else parent[last] = value;
  } else throw new ApiError(422, 'Invalid', `path ${path} not found`);
  return doc;
}
