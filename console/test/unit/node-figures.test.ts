import { describe, expect, it } from 'vitest';
import { ingestRateBetween, type TopologyCluster, type TopologyNode } from '../../src/api/fleet-api.ts';
import { latestByNode, memoryPercent, poolId, withFigures } from '../../src/api/node-enrichment.ts';

const node = (name: string, lifecycle: string, more: Partial<TopologyNode> = {}): TopologyNode => ({
  name,
  instanceId: `i-${name}`,
  instanceType: 'm5.large',
  zone: 'us-east-1a',
  lifecycle,
  pool: `m5.large · us-east-1a · ${lifecycle}`,
  pricePerHour: null,
  score: null,
  launchedAt: null,
  cpuPercent: null,
  memoryPercent: null,
  connected: true,
  lastSeen: null,
  ...more,
});

const clusters = (...nodes: TopologyNode[]): TopologyCluster[] => [{ id: 'c', name: 'c', pools: [{ name: 'p', nodes }] }];

describe('node figures for the nodes table', () => {
  it("gives each node its own pool's price and score and its own latest CPU and memory", () => {
    const figures = {
      pools: new Map([
        ['m5.large|us-east-1a|spot', { pricePerHour: 0.03, score: 0.8 }],
        ['m5.large|us-east-1a|on-demand', { pricePerHour: 0.096, score: 0.7 }],
      ]),
      cpu: latestByNode({
        metric: 'node_cpu_usage_percent',
        resolution: 'raw',
        step: 60,
        series: [
          {
            labels: { node: 'a' },
            points: [
              [1, 10],
              [2, 42],
            ],
          },
          { labels: { node: 'b' }, points: [] },
        ],
      }),
      memory: new Map([['b', 61]]),
    };
    const [a, b] = withFigures(clusters(node('a', 'spot'), node('b', 'on-demand')), figures)[0]?.pools[0]?.nodes ?? [];
    expect([a?.pricePerHour, a?.score, a?.cpuPercent, a?.memoryPercent]).toEqual([0.03, 0.8, 42, null]);
    expect([b?.pricePerHour, b?.score, b?.cpuPercent, b?.memoryPercent]).toEqual([0.096, 0.7, null, 61]);
  });

  it('keeps what the topology already says over the other endpoints, and leaves unknown pools empty', () => {
    const figures = {
      pools: new Map([['m5.large|us-east-1a|spot', { pricePerHour: 0.03, score: 0.8 }]]),
      cpu: new Map(),
      memory: new Map(),
    };
    const [own, unknown] =
      withFigures(clusters(node('a', 'spot', { pricePerHour: 0.05 }), node('b', 'spot', { instanceType: 'c5.large' })), figures)[0]
        ?.pools[0]?.nodes ?? [];
    expect(own?.pricePerHour).toBe(0.05);
    expect(own?.score).toBe(0.8);
    expect([unknown?.pricePerHour, unknown?.score]).toEqual([null, null]);
    expect(poolId(node('x', 'on-demand'))).toBe('m5.large|us-east-1a|on-demand');
  });

  it('derives the ingest rate from two readings of the stored-points counter', () => {
    expect(ingestRateBetween({ points: 1_000, atMs: 10_000 }, { points: 3_000, atMs: 12_000 })).toBe(1_000);
    expect(ingestRateBetween(null, { points: 3_000, atMs: 12_000 })).toBeNull();
    // A hub restart resets the counter: no negative rate.
    expect(ingestRateBetween({ points: 5_000, atMs: 10_000 }, { points: 100, atMs: 12_000 })).toBeNull();
  });

  it('turns used and total memory bytes into a percentage per node and time, skipping points without a total', () => {
    const q = (metric: string, series: Array<[string, Array<[number, number]>]>) => ({
      metric,
      resolution: 'raw',
      step: 60,
      series: series.map(([node, points]) => ({ labels: { node }, points })),
    });
    const used = q('node_memory_used_bytes', [
      [
        'a',
        [
          [60, 2],
          [120, 3],
        ],
      ],
      ['b', [[60, 1]]],
    ]);
    const total = q('node_memory_total_bytes', [
      ['a', [[60, 8]]],
      ['b', [[60, 4]]],
    ]);
    const pct = memoryPercent(used, total);
    expect(pct?.series.map((s) => [s.labels.node, s.points])).toEqual([
      ['a', [[60, 25]]],
      ['b', [[60, 25]]],
    ]);
    expect(memoryPercent(used, null)).toBeNull();
  });
});
