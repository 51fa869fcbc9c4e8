// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Funnel } from '../../src/components/funnel.tsx';
import { funnelBars } from '../../src/lib/funnel-model.ts';

afterEach(cleanup);

const stages = [
  { stage: 'candidate', reached: 200, dropped: 50 },
  { stage: 'feasible', reached: 150, dropped: 0 },
  { stage: 'scored', reached: 150, dropped: 30 },
  { stage: 'solved', reached: 120, dropped: 0 },
  { stage: 'validated', reached: 100, dropped: 0 },
  // approved, executed, verified left out: nobody got there
];

describe('funnel', () => {
  it('computes widths relative to candidates and the conversion from the stage before', () => {
    const bars = funnelBars(stages);
    expect(bars.map((b) => b.stage)).toEqual([
      'candidate',
      'feasible',
      'scored',
      'solved',
      'validated',
      'approved',
      'executed',
      'verified',
    ]);
    expect(bars[0]).toMatchObject({ widthPercent: 100, conversion: null, dropped: 50 });
    expect(bars[1]).toMatchObject({ reached: 150, widthPercent: 75, conversion: 0.75 });
    expect(bars[3]).toMatchObject({ reached: 120, widthPercent: 60, conversion: 0.8 });
    expect(bars[5]).toMatchObject({ reached: 0, widthPercent: 0, conversion: 0 });
    expect(bars[6]).toMatchObject({ reached: 0, conversion: null });
  });

  it('draws nothing wide when there are no candidates', () => {
    expect(funnelBars([]).every((b) => b.widthPercent === 0 && b.reached === 0)).toBe(true);
  });

  it('renders every stage in order with its count, bar and drops', () => {
    const { getByTestId } = render(h(Funnel, { stages }));
    const rows = [...getByTestId('funnel').querySelectorAll('li')];
    expect(rows.map((r) => r.getAttribute('data-stage'))).toEqual([
      'candidate',
      'feasible',
      'scored',
      'solved',
      'validated',
      'approved',
      'executed',
      'verified',
    ]);
    expect(rows.map((r) => r.getAttribute('data-count'))).toEqual(['200', '150', '150', '120', '100', '0', '0', '0']);
    expect(rows[1]?.querySelector('meter')?.getAttribute('value')).toBe('75');
    expect(rows[0]?.textContent).toContain('50 dropped');
    expect(rows[2]?.textContent).toContain('100%');
    expect(rows[2]?.textContent).toContain('30 dropped');
  });
});
