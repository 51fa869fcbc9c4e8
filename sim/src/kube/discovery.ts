import { apiVersionOf, RESOURCES, type ResourceDef } from './resources.ts';

/**
 * Legacy (unaggregated) discovery documents. kubectl asks for aggregated discovery first
 * and falls back to these when the reply's Content-Type is plain `application/json`.
 * kubectl drain evicts only if `/api/v1` lists `pods/eviction` with group policy, version
 * v1 and kind Eviction; otherwise it silently deletes.
 */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-ballast-sim' };

export function versionDoc(): object {
  return {
    ...KUBE_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersionsDoc(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function groupListDoc(): object {
  const groups = new Map<string, string>();
  for (const r of RESOURCES) if (r.group) groups.set(r.group, r.version);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, version]) => {
      const gv = { groupVersion: `${name}/${version}`, version };
      return { name, versions: [gv], preferredVersion: gv };
    }),
  };
}

/** The APIGroup document at `/apis/<group>`; undefined if no resource of the group is served. */
export function groupDoc(name: string): object | undefined {
  const r = RESOURCES.find((d) => d.group !== '' && d.group === name);
  if (!r) return undefined;
  const gv = { groupVersion: `${r.group}/${r.version}`, version: r.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [gv], preferredVersion: gv };
}

/** APIResourceList for `v1` or `group/version`; undefined if not served. */
export function resourceListDoc(groupVersion: string): object | undefined {
  const defs = RESOURCES.filter((r) => apiVersionOf(r) === groupVersion);
  if (defs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of defs) {
    resources.push(entry(r));
    if (r.hasStatus) resources.push(sub(r, 'status', r.kind, ['get', 'patch', 'update']));
    if (r.kind === 'Pod') resources.push({ ...sub(r, 'eviction', 'Eviction', ['create']), group: 'policy', version: 'v1' });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

function entry(r: ResourceDef): object {
  const e: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
  if (r.shortNames) e.shortNames = r.shortNames;
  if (r.categories) e.categories = r.categories;
  return e;
}

function sub(r: ResourceDef, name: string, kind: string, verbs: string[]): Record<string, unknown> {
  return { name: `${r.plural}/${name}`, singularName: '', namespaced: r.namespaced, kind, verbs };
}
