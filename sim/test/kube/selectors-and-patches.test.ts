import { describe, expect, it } from 'vitest';
import { budgetNumbers, scaledValue } from '../../src/kube/controllers/disruption-math.ts';
import { applyPatch } from '../../src/kube/patch.ts';
import { matchesFields, matchesRequirements, parseFieldSelector, parseLabelSelector, selectorMatches } from '../../src/kube/selectors.ts';

describe('label and field selectors', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  it.each([
    ['app=web', true],
    ['app==web,tier!=back', true],
    ['app in (web, api),env notin (dev)', true],
    ['tier,!canary', true],
    ['app=api', false],
    ['env notin (prod)', false],
    ['!tier', false],
    ['missing in (x)', false],
    ['missing notin (x)', true],
  ])('%s → %s', (text, want) => {
    expect(matchesRequirements(parseLabelSelector(text), labels)).toBe(want);
  });

  it('structured selectors: empty matches everything, absent matches nothing', () => {
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
    expect(
      selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });

  it('field selectors read dotted paths; a missing field is the empty string', () => {
    const pod = { metadata: { name: 'p' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    expect(matchesFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName=n2'), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector('spec.schedulerName='), pod)).toBe(true);
  });
});

describe('patches', () => {
  const node = { metadata: { name: 'n', labels: { a: '1' } }, spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] } };
  it('strategic merge: cordon, uncordon, labels, whole-list taints', () => {
    const cordoned = applyPatch(node, { spec: { unschedulable: true } }, 'application/strategic-merge-patch+json');
    expect(cordoned.spec).toMatchObject({ unschedulable: true, taints: [{ key: 'x' }] });
    const back = applyPatch(
      cordoned,
      { spec: { unschedulable: null }, metadata: { labels: { b: '2' } } },
      'application/strategic-merge-patch+json',
    );
    expect(back).toEqual({ metadata: { name: 'n', labels: { a: '1', b: '2' } }, spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] } });
    const retainted = applyPatch(node, { spec: { taints: [{ key: 'y', effect: 'NoExecute' }] } }, 'application/strategic-merge-patch+json');
    expect(retainted.spec).toEqual({ taints: [{ key: 'y', effect: 'NoExecute' }] });
  });

  it('strategic merge merges containers by name and honours $patch: delete', () => {
    const pod = {
      metadata: {},
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '1' },
        ],
      },
    };
    const out = applyPatch(
      pod,
      {
        spec: {
          $setElementOrder: 1,
          containers: [
            { name: 'a', image: '2' },
            { name: 'b', $patch: 'delete' },
          ],
        },
      },
      'application/strategic-merge-patch+json',
    );
    expect(out.spec).toMatchObject({ containers: [{ name: 'a', image: '2' }] });
  });

  it('JSON patch and merge patch', () => {
    const j = applyPatch(
      node,
      [
        { op: 'add', path: '/spec/unschedulable', value: true },
        { op: 'remove', path: '/metadata/labels/a' },
      ],
      'application/json-patch+json',
    );
    expect(j).toEqual({ metadata: { name: 'n', labels: {} }, spec: { unschedulable: true, taints: [{ key: 'x', effect: 'NoSchedule' }] } });
    const m = applyPatch(node, { spec: { taints: null } }, 'application/merge-patch+json');
    expect(m.spec).toEqual({});
    expect(() => applyPatch(node, {}, 'application/apply-patch+yaml')).toThrow(/unknown format/);
  });
});

describe('disruption budget arithmetic (rounding as the disruption controller does)', () => {
  it('scales percentages up', () => {
    expect(scaledValue('50%', 3, true)).toBe(2);
    expect(scaledValue('10%', 5, true)).toBe(1);
    expect(scaledValue(2, 100, true)).toBe(2);
  });
  it.each([
    [{ minAvailable: '50%' }, 5, 5, { expectedPods: 5, desiredHealthy: 3 }],
    [{ minAvailable: 2 }, 4, 9, { expectedPods: 4, desiredHealthy: 2 }],
    [{ maxUnavailable: 1 }, 3, 4, { expectedPods: 4, desiredHealthy: 3 }],
    [{ maxUnavailable: '25%' }, 10, 10, { expectedPods: 10, desiredHealthy: 7 }],
    [{ maxUnavailable: 0 }, 2, 2, { expectedPods: 2, desiredHealthy: 2 }],
  ])('%j with %i pods, scale %i → %j', (spec, pods, scale, want) => {
    expect(budgetNumbers(spec, pods, () => scale)).toEqual(want);
  });
});
