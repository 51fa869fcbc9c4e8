import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podRequests } from '../src/pod-requests.ts';
import { parseQuantity } from '../src/quantity.ts';

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent forms in base units', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('256Mi')).toBe(256 * 2 ** 20);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('512Ki')).toBe(512 * 1024);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(parseQuantity('100k')).toBe(100_000);
  });

  it('refuses what is not a quantity', () => {
    for (const bad of ['', 'abc', '1Zi', '1e3k', '1.2.3', 'm', '10 Mi']) expect(parseQuantity(bad), bad).toBeNull();
  });
});

const pod = (spec: V1Pod['spec']): V1Pod => ({ metadata: { name: 'p' }, spec });

describe('podRequests', () => {
  it('sums the containers, takes a limit where no request is set, and adds the pod overhead', () => {
    const p = pod({
      containers: [
        { name: 'a', resources: { requests: { cpu: '250m', memory: '256Mi' } } },
        { name: 'b', resources: { limits: { cpu: '1', memory: '1Gi' } } },
        { name: 'c' },
      ],
      overhead: { cpu: '10m', memory: '16Mi' },
    });
    expect(podRequests(p)).toEqual({ cpuMillis: 1260, memoryMib: 256 + 1024 + 16 });
  });

  it('takes the largest init container when it asks for more than the containers together', () => {
    const p = pod({
      containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
      initContainers: [{ name: 'migrate', resources: { requests: { cpu: '2', memory: '32Mi' } } }],
    });
    expect(podRequests(p)).toEqual({ cpuMillis: 2000, memoryMib: 64 });
  });

  it('is undefined when no container states requests or limits (the caller assumes a size)', () => {
    expect(podRequests(pod({ containers: [{ name: 'a' }] }))).toBeUndefined();
    expect(podRequests({ metadata: { name: 'p' } })).toBeUndefined();
  });
});
