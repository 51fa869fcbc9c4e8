import { describe, expect, it } from 'vitest';
import { costSeries, nodeRate } from './cost-model.ts';
import type { PoolHours, PriceSource } from './fleet-sources.ts';

const prices: PriceSource = {
  onDemandPrice: (t) => ({ 'm5.large': { pricePerHour: 0.1 }, 'c5.large': { pricePerHour: 0.08 } })[t],
  spotPrice: (t, z) => (t === 'm5.large' && z === 'a' ? { pricePerHour: 0.03 } : undefined),
};

const row = (over: Partial<PoolHours>): PoolHours => ({
  tenant: 't',
  cluster: 'c1',
  instanceType: 'm5.large',
  zone: 'a',
  lifecycle: 'spot',
  hourMs: 0,
  nodes: 1,
  ...over,
});

describe('nodeRate', () => {
  it('prices spot at the pool price and on-demand at the type price, and refuses to guess', () => {
    expect(nodeRate(prices, 'm5.large', 'a', 'spot')).toEqual({ actualPerHour: 0.03, onDemandPerHour: 0.1 });
    expect(nodeRate(prices, 'm5.large', 'b', 'on-demand')).toEqual({ actualPerHour: 0.1, onDemandPerHour: 0.1 });
    expect(nodeRate(prices, 'm5.large', 'b', 'spot')).toBeNull();
    expect(nodeRate(prices, 'x1.large', 'a', 'on-demand')).toBeNull();
    expect(nodeRate(prices, 'm5.large', 'a', 'unspecified')).toBeNull();
  });
});

describe('costSeries', () => {
  const H = 3_600_000;
  const rows = [
    row({ hourMs: 0, nodes: 2 }),
    row({ hourMs: 0, lifecycle: 'on-demand', nodes: 1 }),
    row({ hourMs: H, cluster: 'c2', nodes: 1 }),
    row({ hourMs: H, instanceType: 'c5.large', nodes: 3 }),
  ];

  it('sums every cluster per hour in total mode, counting unpriced node-hours apart', () => {
    const [total] = costSeries(rows, prices, 'hour', 'total');
    expect(total?.cluster).toBeNull();
    expect(total?.points.map((p) => [p.t, p.nodeHours, p.unpricedNodeHours])).toEqual([
      [0, 3, 0],
      [H, 4, 3],
    ]);
    expect(total?.points[0]?.onDemandUsd).toBeCloseTo(0.3);
    expect(total?.points[0]?.actualUsd).toBeCloseTo(0.16);
    expect(total?.points[0]?.savingsUsd).toBeCloseTo(0.14);
  });

  it('splits per cluster and folds hours into days', () => {
    const series = costSeries(rows, prices, 'day', 'cluster');
    expect(series.map((s) => [s.cluster, s.points.length, s.points[0]?.nodeHours])).toEqual([
      ['c1', 1, 6],
      ['c2', 1, 1],
    ]);
    expect(series[1]?.points[0]?.savingsUsd).toBeCloseTo(0.07);
  });
});
