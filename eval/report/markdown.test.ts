import { describe, expect, it } from 'vitest';
import type { StrategyResult } from '../run-replay.ts';
import { acceptanceOf, acceptanceOverSeeds } from './markdown.ts';
import { runChart } from './svg-chart.ts';

function result(overrides: Partial<StrategyResult>): StrategyResult {
  return {
    cost_usd: 100,
    on_demand_equivalent_usd: 300,
    savings_pct: 66.7,
    savings_vs_on_demand_strategy_pct: 60,
    interruptions: 0,
    rebalance_recommendations: 0,
    scheduled_events: 0,
    pods_disrupted: 0,
    pods_lost: 0,
    pending_pod_hours: 0,
    pdb_violations: 0,
    switches: 0,
    launches: 0,
    launch_failures: 0,
    node_hours: 0,
    spot_node_hours_pct: 100,
    jobs_completed: 0,
    wasted_job_pod_hours: 0,
    runtime_s: 0,
    notices: [],
    node_hours_by_type: {},
    ...overrides,
  };
}

describe('acceptance', () => {
  it('checks Ballast against price-capacity-optimized: cost, 0.6× interruptions, no loss, no violation, 70% savings', () => {
    const ok = acceptanceOf({
      ballast: result({ cost_usd: 90, interruptions: 1, savings_pct: 71 }),
      'price-capacity-optimized': result({ cost_usd: 100, interruptions: 2 }),
    });
    expect(ok?.all).toBe(true);
    const bad = acceptanceOf({
      ballast: result({ cost_usd: 90, interruptions: 2, savings_pct: 71 }),
      'price-capacity-optimized': result({ cost_usd: 100, interruptions: 3 }),
    });
    expect(bad).toMatchObject({ interruptions_le_0_6x_pco: false, all: false });
    expect(acceptanceOf({ ballast: result({}) })).toBeNull();
  });

  it('reads the seeds together: interruptions summed, the rest held on every seed', () => {
    const seed = (b: Partial<StrategyResult>, pcoInterruptions: number) => ({
      strategies: {
        ballast: result({ cost_usd: 90, savings_pct: 71, ...b }),
        'price-capacity-optimized': result({ cost_usd: 100, interruptions: pcoInterruptions }),
      },
    });
    // 1 vs 1 on one seed alone fails 0.6×; 2 vs 5 over three seeds holds.
    const three = [seed({ interruptions: 0 }, 3), seed({ interruptions: 1 }, 1), seed({ interruptions: 1 }, 1)];
    expect(acceptanceOverSeeds(three)).toMatchObject({
      interruptions_ballast: 2,
      interruptions_pco: 5,
      interruptions_le_0_6x_pco_total: true,
      min_savings_pct: 71,
      all: true,
    });
    expect(acceptanceOverSeeds([...three, seed({ savings_pct: 69.9 }, 0)])).toMatchObject({
      savings_ge_70pct_every_seed: false,
      all: false,
    });
    expect(acceptanceOverSeeds([...three, seed({ cost_usd: 101 }, 0)])).toMatchObject({ cost_le_pco_every_seed: false, all: false });
    expect(acceptanceOverSeeds([...three, seed({ pods_lost: 1 }, 0)])?.all).toBe(false);
    expect(acceptanceOverSeeds([{ strategies: { ballast: result({}) } }])).toBeNull();
  });

  it('draws a chart with one line per strategy in each panel', () => {
    const svg = runChart('t', '2021-03-02', {
      ballast: { cost_usd: [1, 2, 3], interruptions: [0, 1, 0] },
      'on-demand': { cost_usd: [3, 3, 3], interruptions: [0, 0, 0] },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)?.length).toBe(4);
  });
});
