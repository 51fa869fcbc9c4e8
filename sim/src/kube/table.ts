import { isNodeReady, isPodReady } from './pod-util.ts';
import type { ResourceDef } from './resources.ts';
import type { KubeObject, Node, Pod } from './types.ts';

/**
 * Server-side printing (`meta.k8s.io/v1` Table), which kubectl get asks for first. Nodes
 * and pods get the columns kubectl users expect; anything else gets Name and Age, as the
 * apiserver's default table convertor prints.
 */
interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject, now: number) => string | number;
}

const nameCol: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name ?? '' };
const ageCol: Column = { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

const NODE: Column[] = [
  nameCol,
  { name: 'Status', type: 'string', cell: (o) => nodeStatus(o as Node) },
  { name: 'Roles', type: 'string', cell: () => '<none>' },
  ageCol,
  { name: 'Version', type: 'string', cell: (o) => (o as Node).status.nodeInfo?.kubeletVersion ?? '' },
  {
    name: 'Internal-IP',
    type: 'string',
    priority: 1,
    cell: (o) => (o as Node).status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '<none>',
  },
  { name: 'Instance-Type', type: 'string', priority: 1, cell: (o) => o.metadata.labels?.['node.kubernetes.io/instance-type'] ?? '' },
  { name: 'Capacity-Type', type: 'string', priority: 1, cell: (o) => o.metadata.labels?.['karpenter.sh/capacity-type'] ?? '' },
];

const POD: Column[] = [
  nameCol,
  {
    name: 'Ready',
    type: 'string',
    cell: (o) => {
      // A pod from a client that skipped validation may have no containers; do not fail the listing.
      const n = (o as Pod).spec.containers?.length ?? 0;
      return `${isPodReady(o as Pod) ? n : 0}/${n}`;
    },
  },
  { name: 'Status', type: 'string', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : ((o as Pod).status?.phase ?? 'Pending')) },
  { name: 'Restarts', type: 'integer', cell: () => 0 },
  ageCol,
  { name: 'IP', type: 'string', priority: 1, cell: (o) => (o as Pod).status?.podIP ?? '<none>' },
  { name: 'Node', type: 'string', priority: 1, cell: (o) => (o as Pod).spec.nodeName ?? '<none>' },
];

function nodeStatus(n: Node): string {
  const ready = n.status.conditions.find((c) => c.type === 'Ready');
  let s = isNodeReady(n) ? 'Ready' : ready?.status === 'Unknown' ? 'NotReady' : 'NotReady';
  if (n.spec.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function age(ts: string | undefined, now: number): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

export function wantsTable(accept: string | undefined): boolean {
  return accept?.split(',')[0]?.includes('as=Table') ?? false;
}

export function toTable(r: ResourceDef, objects: KubeObject[], resourceVersion: string, now: number, includeObject: string | null): object {
  const cols = r.kind === 'Node' ? NODE : r.kind === 'Pod' ? POD : [nameCol, ageCol];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o, now)),
      object:
        includeObject === 'Object'
          ? o
          : includeObject === 'None'
            ? undefined
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
