import { describe, expect, it } from 'vitest';
import { globalSeriesId } from './series-id.ts';

const base = ['t', 'c', 'n', 'm', { a: '1', b: '2' }] as const;
const id = (tenant: string, cluster: string, node: string, metric: string, labels: Record<string, string>) =>
  globalSeriesId(tenant, cluster, node, metric, labels);

describe('globalSeriesId', () => {
  it('is a stable unsigned 64-bit value', () => {
    const a = id(...base);
    expect(typeof a).toBe('bigint');
    expect(a).toBeGreaterThanOrEqual(0n);
    expect(a).toBeLessThan(2n ** 64n);
    expect(id('t', 'c', 'n', 'm', { a: '1', b: '2' })).toBe(a);
  });

  it('does not depend on label order', () => {
    expect(id('t', 'c', 'n', 'm', { b: '2', a: '1' })).toBe(id(...base));
  });

  it('changes when any identity field changes', () => {
    const a = id(...base);
    const variants = [
      id('t2', 'c', 'n', 'm', { a: '1', b: '2' }),
      id('t', 'c2', 'n', 'm', { a: '1', b: '2' }),
      id('t', 'c', 'n2', 'm', { a: '1', b: '2' }),
      id('t', 'c', 'n', 'm2', { a: '1', b: '2' }),
      id('t', 'c', 'n', 'm', { a: '1', b: '3' }),
      id('t', 'c', 'n', 'm', { a: '1', c: '2' }),
      id('t', 'c', 'n', 'm', { a: '1' }),
      id('t', 'c', 'n', 'm', { a: '1', b: '2', d: '' }),
      id('t', 'c', 'n', 'm', {}),
    ];
    for (const v of variants) expect(v).not.toBe(a);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('keeps field boundaries: moving text between fields changes the id', () => {
    expect(id('ab', 'c', 'n', 'm', {})).not.toBe(id('a', 'bc', 'n', 'm', {}));
    expect(id('t', 'c', 'nm', '', {})).not.toBe(id('t', 'c', 'n', 'm', {}));
  });
});
