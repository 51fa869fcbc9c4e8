import { hash32 } from '../core/rng.ts';
import type { InstanceTypeInfo } from '../market/catalog.ts';
import type { ActionHandler } from './context.ts';
import { Ec2Error } from './errors.ts';
import { applyFilters, parseFilters } from './filters.ts';
import { page, pageRequest } from './pagination.ts';
import type { XmlValue } from './xml.ts';

/** Families EC2 still calls current generation: everything from generation 4 on, plus t2. */
function currentGeneration(t: InstanceTypeInfo): boolean {
  const gen = /^[a-z]+(\d)/.exec(t.family)?.[1];
  return t.family === 't2' || (gen !== undefined && Number(gen) >= 4);
}

function filterValues(t: InstanceTypeInfo, name: string): readonly string[] | undefined {
  switch (name) {
    case 'instance-type':
      return [t.instanceType];
    case 'current-generation':
      return [String(currentGeneration(t))];
    case 'processor-info.supported-architecture':
      return [t.architecture];
    case 'vcpu-info.default-vcpus':
      return [String(t.vcpu)];
    case 'memory-info.size-in-mib':
      return [String(Math.round(t.memoryGib * 1024))];
    case 'bare-metal':
      return [String(t.instanceType.endsWith('.metal') || t.instanceType.includes('.metal-'))];
    case 'hypervisor':
      return t.hypervisor ? [t.hypervisor] : [];
    case 'supported-usage-class':
      return t.onDemandUsdPerHour === null ? [] : ['on-demand', 'spot'];
    default:
      return undefined;
  }
}

function typeXml(t: InstanceTypeInfo): Record<string, XmlValue> {
  const bareMetal = t.instanceType.includes('.metal');
  return {
    instanceType: t.instanceType,
    currentGeneration: currentGeneration(t),
    freeTierEligible: t.instanceType === 't2.micro' || t.instanceType === 't3.micro',
    supportedUsageClasses: t.onDemandUsdPerHour === null ? undefined : ['on-demand', 'spot'],
    supportedRootDeviceTypes: ['ebs'],
    supportedVirtualizationTypes: ['hvm'],
    bareMetal,
    hypervisor: bareMetal ? undefined : (t.hypervisor ?? undefined),
    processorInfo: { supportedArchitectures: [t.architecture], manufacturer: t.cpuManufacturer ?? undefined },
    vCpuInfo: {
      defaultVCpus: t.vcpu,
      defaultCores: t.architecture === 'arm64' ? t.vcpu : Math.max(1, t.vcpu / 2),
      defaultThreadsPerCore: t.architecture === 'arm64' || t.vcpu < 2 ? 1 : 2,
    },
    memoryInfo: { sizeInMiB: Math.round(t.memoryGib * 1024) },
    instanceStorageSupported: false,
    ebsInfo: {
      ebsOptimizedSupport: 'default',
      encryptionSupport: 'supported',
      nvmeSupport: t.hypervisor === 'nitro' ? 'required' : 'unsupported',
    },
    networkInfo: {
      networkPerformance: t.networkGbps === null ? 'Moderate' : `${t.networkGbps} Gigabit`,
      maximumNetworkInterfaces: Math.min(15, Math.max(2, Math.ceil(t.vcpu / 2) + 1)),
    },
    gpuInfo:
      t.gpuCount > 0
        ? {
            gpus: [{ name: t.gpuName ?? 'GPU', count: t.gpuCount, memoryInfo: { sizeInMiB: Math.round((t.gpuMemoryGib ?? 0) * 1024) } }],
            totalGpuMemoryInMiB: Math.round((t.gpuMemoryGib ?? 0) * 1024 * t.gpuCount),
          }
        : undefined,
    placementGroupInfo: { supportedStrategies: ['cluster', 'partition', 'spread'] },
    hibernationSupported: false,
    burstablePerformanceSupported: t.family.startsWith('t'),
    dedicatedHostsSupported: true,
    autoRecoverySupported: true,
    supportedBootModes: t.architecture === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi'],
  };
}

/** DescribeInstanceTypes from the market's catalog; 100 per page unless MaxResults says otherwise. */
const describeInstanceTypes: ActionHandler = (ctx) => {
  const p = ctx.params;
  const names = p.strings('InstanceType');
  const catalog = ctx.market.catalog;
  const unknown = names.filter((n) => !catalog.has(n));
  if (unknown.length)
    throw new Ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
  const base = names.length ? catalog.list().filter((t) => names.includes(t.instanceType)) : catalog.list();
  const filtered = applyFilters(base, parseFilters(p), filterValues);
  const scope = `types:${hash32(p.canonical(['MaxResults', 'NextToken']))}`;
  const { items, nextToken } = page(filtered, pageRequest(p, scope, { defaultSize: 100, min: 5, max: 100 }), scope);
  return { instanceTypeSet: items.map(typeXml), nextToken };
};

export const instanceTypeActions: Record<string, ActionHandler> = { DescribeInstanceTypes: describeInstanceTypes };
