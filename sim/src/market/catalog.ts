import { csvTable, readText } from './csv.ts';

/** EC2's architecture names (DescribeInstanceTypes), not Kubernetes' (amd64). */
export type Architecture = 'x86_64' | 'arm64';

export interface InstanceTypeInfo {
  instanceType: string;
  family: string;
  vcpu: number;
  memoryGib: number;
  architecture: Architecture;
  gpuCount: number;
  gpuName: string | null;
  gpuMemoryGib: number | null;
  /** Baseline bandwidth; null where AWS publishes only vague text. */
  networkGbps: number | null;
  cpuManufacturer: string | null;
  hypervisor: 'nitro' | 'xen' | null;
  /** Linux on-demand USD/hour in us-east-1; null when unknown (the type is "unpriced"). */
  onDemandUsdPerHour: number | null;
}

export class InstanceCatalog {
  private readonly byType = new Map<string, InstanceTypeInfo>();

  constructor(types: Iterable<InstanceTypeInfo>) {
    for (const t of types) this.byType.set(t.instanceType, t);
  }

  get(instanceType: string): InstanceTypeInfo | undefined {
    return this.byType.get(instanceType);
  }

  has(instanceType: string): boolean {
    return this.byType.has(instanceType);
  }

  /** Sorted by name so listings and pagination are stable. */
  list(): InstanceTypeInfo[] {
    return [...this.byType.values()].sort((a, b) => a.instanceType.localeCompare(b.instanceType));
  }

  /** Types that can be launched: only those have an on-demand price to anchor spot prices. */
  priced(): InstanceTypeInfo[] {
    return this.list().filter((t) => t.onDemandUsdPerHour !== null);
  }

  get size(): number {
    return this.byType.size;
  }
}

function optionalNumber(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Parses the instance_types.csv format; rows without a price are kept as unpriced. */
export function parseCatalogCsv(text: string): InstanceCatalog {
  const t = csvTable(text, 'instance catalog');
  const col = {
    type: t.column('instance_type'),
    family: t.column('family'),
    vcpu: t.column('vcpu'),
    mem: t.column('memory_gib'),
    arch: t.column('arch'),
    gpu: t.column('gpu_count'),
    price: t.column('on_demand_usd_per_hour'),
  };
  const opt = (name: string) => t.header.indexOf(name);
  const gpuName = opt('gpu_name');
  const gpuMem = opt('gpu_memory_gib');
  const net = opt('network_gbps');
  const cpu = opt('cpu_manufacturer');
  const hyp = opt('hypervisor');
  const types: InstanceTypeInfo[] = [];
  for (const r of t.rows) {
    const name = r[col.type]?.trim();
    if (!name) continue;
    const hypervisor = hyp >= 0 ? r[hyp] : '';
    types.push({
      instanceType: name,
      family: r[col.family] || name.split('.')[0] || name,
      vcpu: Number(r[col.vcpu]) || 0,
      memoryGib: Number(r[col.mem]) || 0,
      architecture: r[col.arch] === 'arm64' ? 'arm64' : 'x86_64',
      gpuCount: Number(r[col.gpu]) || 0,
      gpuName: (gpuName >= 0 && r[gpuName]) || null,
      gpuMemoryGib: gpuMem >= 0 ? optionalNumber(r[gpuMem]) : null,
      networkGbps: net >= 0 ? optionalNumber(r[net]) : null,
      cpuManufacturer: (cpu >= 0 && r[cpu]) || null,
      hypervisor: hypervisor === 'nitro' || hypervisor === 'xen' ? hypervisor : null,
      onDemandUsdPerHour: optionalNumber(r[col.price]),
    });
  }
  return new InstanceCatalog(types);
}

/**
 * The catalog from a CSV file, or the built-in one when no path is given. The built-in
 * types are common general-purpose, compute and memory sizes with their us-east-1 Linux
 * on-demand prices (the same values as /work/shared/data/instance_types.csv).
 */
export function loadCatalog(path?: string | URL): InstanceCatalog {
  return path === undefined ? new InstanceCatalog(BUILT_IN_INSTANCE_TYPES) : parseCatalogCsv(readText(path));
}

function builtIn(
  instanceType: string,
  vcpu: number,
  memoryGib: number,
  networkGbps: number,
  onDemandUsdPerHour: number,
  architecture: Architecture = 'x86_64',
): InstanceTypeInfo {
  return {
    instanceType,
    family: instanceType.split('.')[0] ?? instanceType,
    vcpu,
    memoryGib,
    architecture,
    gpuCount: 0,
    gpuName: null,
    gpuMemoryGib: null,
    networkGbps,
    cpuManufacturer: architecture === 'arm64' ? 'aws' : 'intel',
    hypervisor: 'nitro',
    onDemandUsdPerHour,
  };
}

export const BUILT_IN_INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  builtIn('m5.large', 2, 8, 0.75, 0.096),
  builtIn('m5.xlarge', 4, 16, 1.25, 0.192),
  builtIn('m5.2xlarge', 8, 32, 2.5, 0.384),
  builtIn('c5.large', 2, 4, 0.75, 0.085),
  builtIn('c5.xlarge', 4, 8, 1.25, 0.17),
  builtIn('c5.2xlarge', 8, 16, 2.5, 0.34),
  builtIn('r5.large', 2, 16, 0.75, 0.126),
  builtIn('r5.xlarge', 4, 32, 1.25, 0.252),
  builtIn('m6i.large', 2, 8, 0.781, 0.096),
  builtIn('m6i.xlarge', 4, 16, 1.562, 0.192),
  builtIn('c6i.large', 2, 4, 0.781, 0.085),
  builtIn('c6i.xlarge', 4, 8, 1.562, 0.17),
  builtIn('m6g.large', 2, 8, 0.75, 0.077, 'arm64'),
  builtIn('m6g.xlarge', 4, 16, 1.25, 0.154, 'arm64'),
  builtIn('t3.medium', 2, 4, 0.256, 0.0416),
  builtIn('t3.large', 2, 8, 0.512, 0.0832),
];
