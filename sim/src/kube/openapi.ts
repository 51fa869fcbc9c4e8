import { apiVersionOf, RESOURCES } from './resources.ts';

/**
 * The least OpenAPI v3 that lets `kubectl apply` run with its default `--validate=strict`.
 * kubectl validates client-side only when the server cannot: it looks in the group
 * version's v3 document for the kind's PATCH operation and, if that operation takes a
 * `fieldValidation` query parameter, leaves validation to the server and skips the full
 * schema download (which would otherwise have to be served as protobuf OpenAPI v2).
 * No schemas are published, so kubectl computes patches from its compiled-in types; the
 * server then checks field names itself on `fieldValidation=Strict` (field-schema.ts).
 */
export function openApiV3Root(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of new Set(RESOURCES.map(apiVersionOf))) {
    const p = gvPath(gv);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=ballast-sim-1` };
  }
  return { paths };
}

/** `api/v1` or `apis/<group>/<version>` → document, or undefined. */
export function openApiV3Doc(path: string): object | undefined {
  const defs = RESOURCES.filter((r) => gvPath(apiVersionOf(r)) === path);
  if (defs.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const r of defs) {
    const base = `/${gvPath(apiVersionOf(r))}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

function gvPath(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}
