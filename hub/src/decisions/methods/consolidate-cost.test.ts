import { describe, expect, it } from 'vitest';
import { DecisionEngine } from '../decision-engine.ts';
import { InMemoryDecisionLog } from '../decision-sink.ts';
import { input, node, ref, web } from '../test-builders.ts';

const A = ref('m5.xlarge', 'us-east-1a');
const B = ref('m5.xlarge', 'us-east-1b');

function run(policies: Record<string, unknown>, pods: number) {
  const log = new InMemoryDecisionLog();
  const engine = new DecisionEngine({ policies: { headroomShare: 0, ...policies }, sink: log });
  // n1 costs $0.07/h plus its pool's risk; its pods fit on n2.
  const out = engine.step(input({ nodes: [node('n1', A, { pods: pods === 0 ? [] : [web(pods)] }), node('n2', B, { pods: [web(2)] })] }));
  return { out, log };
}

describe('consolidation weighs its saving against the disruption it causes', () => {
  it('consolidates when the saving over the payback hours exceeds the pods × cost per pod', () => {
    // 2 pods × $0.1 = $0.20 < ~$0.079/h × 4 h.
    const { out } = run({ disruptionCostPerPodUsd: 0.1, consolidationPaybackHours: 4 }, 2);
    expect(out.proposed.map((d) => [d.kind, d.nodeIds[0]])).toEqual([['consolidate', 'n1']]);
  });

  it('drops it at the scored stage (insufficient-savings) when the disruption costs more', () => {
    // 2 pods × $0.2 = $0.40 > ~$0.079/h × 4 h = ~$0.32.
    const { out, log } = run({ disruptionCostPerPodUsd: 0.2, consolidationPaybackHours: 4 }, 2);
    expect(out.proposed).toHaveLength(0);
    expect(log.funnel().dropped.scored?.['insufficient-savings']).toBe(2);
  });

  it('a longer payback horizon makes the same move worth it; an empty node is always worth removing', () => {
    expect(run({ disruptionCostPerPodUsd: 0.2, consolidationPaybackHours: 8 }, 2).out.proposed).toHaveLength(1);
    const empty = run({ disruptionCostPerPodUsd: 100, consolidationPaybackHours: 0 }, 0).out.proposed;
    expect(empty.map((d) => [d.nodeIds[0], d.reason])).toEqual([['n1', 'empty-node']]);
  });

  it('refuses a negative disruption cost, naming the field', () => {
    expect(() => new DecisionEngine({ policies: { disruptionCostPerPodUsd: -1 } })).toThrow(/disruptionCostPerPodUsd/);
  });
});
