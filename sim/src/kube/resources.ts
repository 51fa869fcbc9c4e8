/**
 * The resources this API server serves. Discovery, routing and the store are all driven by
 * this one table, so a resource is either fully served or not listed at all (kubectl
 * trusts discovery and fails on a listed resource that 404s).
 */
export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources whose writes touch only `.status` (spec writes keep the old status). */
  hasStatus: boolean;
}

// deletecollection is not served, so it is not advertised.
const ALL = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function def(d: Omit<ResourceDef, 'verbs' | 'hasStatus'> & Partial<Pick<ResourceDef, 'verbs' | 'hasStatus'>>): ResourceDef {
  return { verbs: ALL, hasStatus: true, ...d };
}

export const RESOURCES: readonly ResourceDef[] = [
  def({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  def({ group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'] }),
  def({
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
  }),
  def({
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    hasStatus: false,
  }),
  def({
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
  }),
  def({
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
  }),
  def({
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    hasStatus: false,
  }),
  // Objects that `kubectl apply -k deploy/daemonset` creates; stored as sent, no controller acts on them.
  def({
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    hasStatus: false,
  }),
  def({
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    hasStatus: false,
  }),
  def({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterroles',
    singular: 'clusterrole',
    kind: 'ClusterRole',
    namespaced: false,
    hasStatus: false,
  }),
  def({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    kind: 'ClusterRoleBinding',
    namespaced: false,
    hasStatus: false,
  }),
  def({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'roles',
    singular: 'role',
    kind: 'Role',
    namespaced: true,
    hasStatus: false,
  }),
  def({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
    singular: 'rolebinding',
    kind: 'RoleBinding',
    namespaced: true,
    hasStatus: false,
  }),
  def({
    group: 'scheduling.k8s.io',
    version: 'v1',
    plural: 'priorityclasses',
    singular: 'priorityclass',
    kind: 'PriorityClass',
    namespaced: false,
    shortNames: ['pc'],
    hasStatus: false,
  }),
];

export function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `pods` for core, `deployments.apps` otherwise: the form Kubernetes uses in error messages. */
export function qualifiedName(r: ResourceDef): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

const byPath = new Map(RESOURCES.map((r) => [`${apiVersionOf(r)}/${r.plural}`, r]));
const byKind = new Map(RESOURCES.map((r) => [r.kind, r]));

export function findResource(apiVersion: string, plural: string): ResourceDef | undefined {
  return byPath.get(`${apiVersion}/${plural}`);
}

export function resourceOfKind(kind: string): ResourceDef {
  const r = byKind.get(kind);
  if (!r) throw new Error(`no resource for kind ${kind}`);
  return r;
}

/** Typed shortcuts for the controllers. */
export const R = {
  namespaces: resourceOfKind('Namespace'),
  nodes: resourceOfKind('Node'),
  pods: resourceOfKind('Pod'),
  events: resourceOfKind('Event'),
  deployments: resourceOfKind('Deployment'),
  replicaSets: resourceOfKind('ReplicaSet'),
  daemonSets: resourceOfKind('DaemonSet'),
  pdbs: resourceOfKind('PodDisruptionBudget'),
  leases: resourceOfKind('Lease'),
  services: resourceOfKind('Service'),
  serviceAccounts: resourceOfKind('ServiceAccount'),
  configMaps: resourceOfKind('ConfigMap'),
  clusterRoles: resourceOfKind('ClusterRole'),
  clusterRoleBindings: resourceOfKind('ClusterRoleBinding'),
  roles: resourceOfKind('Role'),
  roleBindings: resourceOfKind('RoleBinding'),
  priorityClasses: resourceOfKind('PriorityClass'),
} as const;
