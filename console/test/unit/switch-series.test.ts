import { describe, expect, it } from 'vitest';
import { switchSavingsSeries } from '../../src/lib/switch-series.ts';

describe('switch history series', () => {
  it('adds up the expected saving of the switches that took effect, oldest first', () => {
    const series = switchSavingsSeries([
      { at: '2026-11-23T12:00:00Z', outcome: 'switched', savingsPerHour: 0.05 },
      { at: '2026-11-23T10:00:00Z', outcome: 'switched', savingsPerHour: 0.1 },
      { at: '2026-11-23T11:00:00Z', outcome: 'rolled-back', savingsPerHour: 0.3 },
      { at: '2026-11-23T13:00:00Z', outcome: null, savingsPerHour: 0.2 },
      { at: '2026-11-23T14:00:00Z', outcome: 'switched', savingsPerHour: null },
    ]);
    const t = (iso: string) => Date.parse(iso) / 1000;
    expect(series).toEqual([
      [t('2026-11-23T10:00:00Z'), t('2026-11-23T12:00:00Z'), t('2026-11-23T14:00:00Z')],
      [0.1, 0.15, 0.15],
    ]);
  });

  it('is empty without a switch that took effect, or with an unreadable time', () => {
    expect(switchSavingsSeries([])).toEqual([[], []]);
    expect(switchSavingsSeries([{ at: 'not a time', outcome: 'switched', savingsPerHour: 1 }])).toEqual([[], []]);
  });
});
