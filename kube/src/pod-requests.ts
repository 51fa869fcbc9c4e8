import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import type { PodRequests } from './cluster-types.ts';
import { parseQuantity } from './quantity.ts';

type Amounts = { cpu: number; memory: number; given: boolean };

/**
 * What the scheduler reserves for a pod: the larger of its containers' summed requests and
 * its largest init container's, plus the pod overhead (the scheduler's effective request).
 * A container without a request but with a limit requests its limit, as Kubernetes defaults
 * it. Undefined when no container states either: the caller must assume a size.
 */
export function podRequests(p: V1Pod): PodRequests | undefined {
  const spec = p.spec;
  if (!spec) return undefined;
  const main = (spec.containers ?? []).map((c) => amounts(c.resources));
  const init = (spec.initContainers ?? []).map((c) => amounts(c.resources));
  if (![...main, ...init].some((a) => a.given)) return undefined;
  const sum = main.reduce((s, a) => ({ cpu: s.cpu + a.cpu, memory: s.memory + a.memory }), { cpu: 0, memory: 0 });
  const cpu = Math.max(sum.cpu, ...init.map((a) => a.cpu));
  const memory = Math.max(sum.memory, ...init.map((a) => a.memory));
  const overhead = spec.overhead ?? {};
  const oCpu = quantity(overhead.cpu);
  const oMem = quantity(overhead.memory);
  return {
    cpuMillis: Math.round((cpu + oCpu) * 1000),
    memoryMib: Math.round(((memory + oMem) / 2 ** 20) * 1000) / 1000,
  };
}

function amounts(r: V1ResourceRequirements | undefined): Amounts {
  const pick = (name: string): number | undefined => {
    const requested = r?.requests?.[name];
    const limited = r?.limits?.[name];
    const raw = requested ?? limited;
    if (raw === undefined) return undefined;
    return quantity(raw);
  };
  const cpu = pick('cpu');
  const memory = pick('memory');
  return { cpu: cpu ?? 0, memory: memory ?? 0, given: cpu !== undefined || memory !== undefined };
}

function quantity(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  return parseQuantity(v) ?? 0;
}
