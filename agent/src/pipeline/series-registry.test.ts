import { MetricKind } from '@ballast/proto';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../collectors/collector.ts';
import { SeriesRegistry } from './series-registry.ts';

function sample(metric: string, labels: Record<string, string> = {}, kind: Sample['kind'] = 'gauge', unit = ''): Sample {
  return { metric, labels, value: 1, kind, unit };
}

describe('SeriesRegistry', () => {
  it('gives ids from 1 and the same id regardless of label order', () => {
    const r = new SeriesRegistry(10);
    expect(r.idOf(sample('m', { a: '1', b: '2' }))).toBe(1);
    expect(r.idOf(sample('m', { b: '2', a: '1' }))).toBe(1);
    expect(r.idOf(sample('m', { a: '1', b: '3' }))).toBe(2);
    expect(r.idOf(sample('other', { a: '1', b: '2' }))).toBe(3);
    expect(r.idOf(sample('m'))).toBe(4);
    expect(r.size).toBe(4);
  });

  it('tells an empty label value from a missing label, and a label value from a metric suffix', () => {
    const r = new SeriesRegistry(10);
    const ids = [r.idOf(sample('m')), r.idOf(sample('m', { a: '' })), r.idOf(sample('m', { a: 'x' })), r.idOf(sample('ma', {}))];
    expect(new Set(ids).size).toBe(4);
  });

  it('builds definitions with labels, kind and unit', () => {
    const r = new SeriesRegistry(10);
    r.idOf(sample('rx', { interface: 'eth0' }, 'counter', 'bytes'));
    r.idOf(sample('load', {}, 'gauge'));
    const [rx, load] = r.all();
    expect(rx).toMatchObject({
      id: 1,
      metric: 'rx',
      labels: [{ name: 'interface', value: 'eth0' }],
      kind: MetricKind.COUNTER,
      unit: 'bytes',
    });
    expect(load).toMatchObject({ id: 2, metric: 'load', labels: [], kind: MetricKind.GAUGE });
  });

  it('takeNew returns only definitions added since the last call', () => {
    const r = new SeriesRegistry(10);
    r.idOf(sample('a'));
    r.idOf(sample('b'));
    expect(r.takeNew().map((d) => d.metric)).toEqual(['a', 'b']);
    expect(r.takeNew()).toEqual([]);
    r.idOf(sample('a'));
    expect(r.takeNew()).toEqual([]);
    r.idOf(sample('c'));
    expect(r.takeNew().map((d) => d.id)).toEqual([3]);
    expect(r.all().map((d) => d.metric)).toEqual(['a', 'b', 'c']);
  });

  it('returns undefined for new series once full, but still knows existing ones', () => {
    const r = new SeriesRegistry(2);
    expect(r.idOf(sample('a'))).toBe(1);
    expect(r.idOf(sample('b'))).toBe(2);
    expect(r.idOf(sample('c'))).toBeUndefined();
    expect(r.idOf(sample('a'))).toBe(1);
    expect(r.size).toBe(2);
    expect(r.takeNew()).toHaveLength(2);
  });
});
